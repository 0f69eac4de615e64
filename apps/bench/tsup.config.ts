import { defineConfig } from 'tsup';

// rss-child.ts is the worker the memory scenario runs in a child process; cpu-tasks.ts the task module of pool benchmarks
export default defineConfig({ entry: ['src/bench.ts', 'src/rss-child.ts', 'src/cpu-tasks.ts'], format: ['esm'], dts: false, sourcemap: true, clean: true, target: 'node20' });
