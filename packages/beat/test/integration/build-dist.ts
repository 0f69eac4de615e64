/**
 * Builds the package (ESM, no types) for tests that run it in child processes. The output
 * goes under node_modules/.cache so that `@celeriac/core` and `croner` resolve from it as
 * they do from dist/, and nothing in the source tree changes.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const TEST_DIST = fileURLToPath(new URL('../../node_modules/.cache/celeriac-beat-test/', import.meta.url));

let built: Promise<string> | null = null;

/** Path of the built index.js (built once per test process). */
export function buildTestDist(): Promise<string> {
  built ??= (async () => {
    await build({
      entry: { index: `${PACKAGE_DIR}src/index.ts` },
      outDir: TEST_DIST,
      format: ['esm'],
      dts: false,
      sourcemap: false,
      clean: true,
      target: 'node20',
      silent: true,
      config: false,
      external: ['@celeriac/core', 'croner'],
    });
    return `${TEST_DIST}index.js`;
  })();
  return built;
}
