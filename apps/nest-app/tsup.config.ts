import { defineConfig } from 'tsup';

// swc runs by itself (emitDecoratorMetadata is on and @swc/core is at the root): Nest injects by type
export default defineConfig({ entry: ['src/main.ts', 'src/bootstrap.ts'], format: ['esm'], dts: false, sourcemap: true, clean: true, target: 'node20' });
