/**
 * Celeriac's Redis transport next to BullMQ on the same Redis: the same number of no-op jobs
 * published in `Promise.all` batches of `window` (each resolving when Redis answered), then
 * drained by a worker of the same concurrency. Every key lives under the run's prefix and is
 * deleted at the end.
 */
import { Queue, Worker } from 'bullmq';
import { bullConnection } from './bull-connection.js';
import { Redis } from 'ioredis';
import type { BenchApp } from './bench-app.js';
import { celeriacPublish } from './celeriac-producer.js';
import { celeriacDrain } from './celeriac-worker.js';
import { startThroughput, type Throughput } from './stats.js';

export interface RedisTransportResult {
  celeriacPublish: Throughput;
  celeriacDrain: Throughput;
  bullmqAdd: Throughput;
  bullmqWorker: Throughput;
}

/** Celeriac on Redis: `delay()` batches, then `app.worker({ concurrency, acksLate: true })`. */
export async function celeriacOnRedis(make: () => BenchApp, n: number, window: number, concurrency: number): Promise<{ publish: Throughput; drain: Throughput }> {
  const producer = make();
  const publish = await celeriacPublish(producer, n, window).finally(() => producer.app.close());
  const worker = make();
  const drain = await celeriacDrain(worker, n, concurrency).finally(() => worker.app.close());
  return { publish, drain };
}

/** BullMQ: `queue.add()` batches, then a `Worker` with a no-op processor (completed jobs removed). */
export async function bullmqOnRedis(redisUrl: string, prefix: string, name: string, n: number, window: number, concurrency: number): Promise<{ add: Throughput; work: Throughput }> {
  const queue = new Queue(name, { connection: bullConnection(redisUrl, false), prefix });
  try {
    const measureAdd = startThroughput(n);
    for (let sent = 0; sent < n;) {
      const size = Math.min(window, n - sent);
      const batch: Promise<unknown>[] = new Array(size);
      for (let i = 0; i < size; i++) batch[i] = queue.add('noop', { i: sent + i }, { removeOnComplete: true, removeOnFail: true });
      await Promise.all(batch);
      sent += size;
    }
    const add = measureAdd.stop();
    let done = 0;
    let resolveDone: () => void = () => undefined;
    const drained = new Promise<void>((resolve) => (resolveDone = resolve));
    const measureWork = startThroughput(n);
    const worker = new Worker(name, async (job) => (job.data as { i: number }).i, { connection: bullConnection(redisUrl, true), prefix, concurrency });
    worker.on('completed', () => {
      if (++done === n) resolveDone();
    });
    await drained;
    const work = measureWork.stop();
    await worker.close();
    return { add, work };
  } finally {
    await queue.close();
  }
}

/** Deletes every key under `prefix` (a prefix this run made up). */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
