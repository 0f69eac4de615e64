import { defineConfig } from 'tsup';

// rss-child.ts is the worker the memory scenario runs in a child process
export default defineConfig({ entry: ['src/bench.ts', 'src/rss-child.ts'], format: ['esm'], dts: false, sourcemap: true, clean: true, target: 'node20' });
