import { defineConfig } from 'tsup';

// child.ts runs a worker in a process of its own (drain, memory, end to end); cpu-tasks.ts the task module of pool benchmarks
export default defineConfig({ entry: ['src/bench.ts', 'src/child.ts', 'src/cpu-tasks.ts'], format: ['esm'], dts: false, sourcemap: true, clean: true, target: 'node20' });
