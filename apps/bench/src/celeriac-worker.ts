/**
 * The Celeriac worker draining a queue filled beforehand: `app.worker({ concurrency,
 * acksLate: true })` with no result backend, timed from the first delivery to the last
 * task settled (acked), like the raw consumer.
 */
import type { BenchApp } from './bench-app.js';
import { startThroughput, type Throughput } from './stats.js';

export interface DrainResult extends Throughput {
  /** From the first delivery to the last task settled. */
  ms: number;
}

/** Starts a worker on the app's default queue, waits until `n` tasks succeeded, stops it. */
export async function celeriacDrain({ app }: BenchApp, n: number, concurrency: number): Promise<DrainResult> {
  await app.connect();
  const measure = startThroughput(n);
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
  const ms = Math.max(last - first, 0.001);
  const result = { ...measure.stop(ms), ms };
  await worker.stop();
  return result;
}
