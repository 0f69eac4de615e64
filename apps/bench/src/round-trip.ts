/**
 * Round-trip latency as a user sees it: `await (await task.delay(i)).get()`, one at a time,
 * with a worker of the same app (same process, same connection) and a result backend.
 */
import type { BenchApp } from './bench-app.js';
import { elapsedMs } from './stats.js';

/**
 * Returns `count` latencies in milliseconds, measured after `warmup` unmeasured trips;
 * `onId` sees every task id (the redis scenario deletes the result keys afterwards).
 */
export async function celeriacRoundTrips({ app, noop }: BenchApp, count: number, warmup: number, onId: (id: string) => void): Promise<number[]> {
  await app.connect();
  const worker = app.worker({ acksLate: true });
  await worker.start();
  try {
    const latencies: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const started = performance.now();
      const result = await noop.delay(i);
      const value = await result.get({ timeout: 10_000 });
      const ms = elapsedMs(started);
      onId(result.id);
      if (value !== i) throw new Error(`round trip ${i} returned ${JSON.stringify(value)}`);
      if (i >= warmup) latencies.push(ms);
    }
    return latencies;
  } finally {
    await worker.stop();
  }
}
