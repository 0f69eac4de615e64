import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// The tarball holds only what `exports` and `bin` use: the library as ESM + CJS with types,
// and the `celeriac` command as ESM (sharing the library's chunks). No source maps: the output
// is readable, unminified JavaScript. dist is emptied by the
// build script, not by `clean`, because the two builds below run in parallel.
// shims: import.meta.url in the CommonJS build (broker/amqp/amqplib-compat.ts resolves amqplib from it)
const common = { sourcemap: false, target: 'node20', clean: false, shims: true, define: { __CELERIAC_VERSION__: JSON.stringify(version) } } as const;

// testing.js / testing.cjs: `@celeriac/core/testing`, the conformance suites for users' own transports
const library = { index: 'src/index.ts', testing: 'src/testing/index.ts' };

export default defineConfig([
  // pool-child.js: the entry of -P threads / -P processes children (ESM, also for CommonJS users)
  { ...common, entry: { ...library, cli: 'src/cli.ts', 'pool-child': 'src/pool-child.ts' }, format: ['esm'], dts: { entry: library } },
  { ...common, entry: library, format: ['cjs'], dts: { entry: library } },
]);
