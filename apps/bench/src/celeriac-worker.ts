/**
 * The Celeriac worker draining a queue filled beforehand: `app.worker({ concurrency,
 * acksLate: true })` with no result backend, timed from the first delivery to the last
 * task settled (acked), like the raw consumer.
 */
import type { BenchApp } from './bench-app.js';

export interface DrainResult {
  /** Tasks per second. */
  rate: number;
  ms: number;
}

/** Starts a worker on the app's default queue, waits until `n` tasks succeeded, stops it. */
export async function celeriacDrain({ app }: BenchApp, n: number, concurrency: number): Promise<DrainResult> {
  await app.connect();
  const worker = app.worker({ concurrency, acksLate: true });
  let first = 0;
  let done = 0;
  let last = 0;
  worker.events.once('task-received', () => {
    first = performance.now();
  });
  // task-succeeded is emitted after the ack
  const drained = new Promise<void>((resolve) => {
    worker.events.on('task-succeeded', () => {
      if (++done === n) {
        last = performance.now();
        resolve();
      }
    });
  });
  await worker.start();
  await drained;
  await worker.stop();
  const ms = Math.max(last - first, 0.001);
  return { rate: (n / ms) * 1000, ms };
}
