import { defineConfig } from 'vitest/config';

// Chaos tests start private RabbitMQ nodes and break them; they run one file at a time,
// after the main suite (pnpm test:chaos).
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
