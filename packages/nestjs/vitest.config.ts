import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// @celeriac/beat is read from its build when there is one (turbo builds it before these tests),
// from its sources otherwise, so the beat integration test runs either way.
const beatBuilt = existsSync(fileURLToPath(new URL('../beat/dist/index.js', import.meta.url)));
const beatSources = fileURLToPath(new URL('../beat/src/index.ts', import.meta.url));

export default defineConfig({
  // explicit, though Oxc also reads tsconfig: Nest's injection by type needs design:paramtypes
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: { alias: beatBuilt ? {} : { '@celeriac/beat': beatSources } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
