import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// The tarball holds only what `exports` and `bin` use: the library as ESM + CJS with types,
// and the `celeriac` command as ESM (sharing the library's chunks). No source maps: the output
// is readable, unminified JavaScript. dist is emptied by the
// build script, not by `clean`, because the two builds below run in parallel.
// shims: import.meta.url in the CommonJS build (broker/amqp/amqplib-compat.ts resolves amqplib from it)
const common = { sourcemap: false, target: 'node20', clean: false, shims: true, define: { __CELERIAC_VERSION__: JSON.stringify(version) } } as const;

export default defineConfig([
  // pool-child.js: the entry of -P threads / -P processes children (ESM, also for CommonJS users)
  { ...common, entry: ['src/index.ts', 'src/cli.ts', 'src/pool-child.ts'], format: ['esm'], dts: { entry: 'src/index.ts' } },
  { ...common, entry: ['src/index.ts'], format: ['cjs'], dts: { entry: 'src/index.ts' } },
]);
