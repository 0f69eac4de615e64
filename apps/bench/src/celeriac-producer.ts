/**
 * The Celeriac producer as a user drives it: `task.delay(i)` in `Promise.all` batches of
 * `window`, each resolving on the broker's confirm (messages are persistent).
 */
import { benchApp, type BenchApp } from './bench-app.js';
import type { AppNames } from './bench-resources.js';
import { startThroughput, type Throughput } from './stats.js';

/** Sends `n` no-op tasks to the app's default queue. */
export async function celeriacPublish({ app, noop }: BenchApp, n: number, window: number): Promise<Throughput> {
  await app.connect();
  await app.topology.ensureTaskQueue(app.options.defaultQueue); // as the raw baseline asserts its queue first
  const measure = startThroughput(n);
  for (let sent = 0; sent < n;) {
    const size = Math.min(window, n - sent);
    const batch: Promise<unknown>[] = new Array(size);
    for (let i = 0; i < size; i++) batch[i] = noop.delay(sent + i);
    await Promise.all(batch);
    sent += size;
  }
  return measure.stop();
}

/** Queues `n` no-op tasks with the Celeriac producer on an app and connection of its own. */
export async function fillQueue(amqpUrl: string, names: AppNames, n: number, window: number): Promise<Throughput> {
  const bench = benchApp(amqpUrl, names, null);
  try {
    return await celeriacPublish(bench, n, window);
  } finally {
    await bench.app.close();
  }
}
