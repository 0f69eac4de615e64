import { defineConfig } from 'vitest/config';

export default defineConfig({
  // explicit, though Oxc also reads tsconfig: Nest's injection by type needs design:paramtypes
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
