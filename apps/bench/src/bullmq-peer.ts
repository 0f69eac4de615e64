/**
 * BullMQ, the Redis-based peer: the same no-op job (`{ i }` in, `i` out) added, drained and
 * round-tripped on the bench's Redis, under a prefix unique to the run (`bull_<run prefix>`)
 * that is obliterated at the end.
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { bullConnection } from './bull-connection.js';
import { elapsedMs, startThroughput, type Throughput } from './stats.js';

export const BULL_JOB = 'noop';

/** Adds `n` jobs with `queue.add`, in `Promise.all` batches of `window` (as the AMQP producers). */
export async function bullProduce(redisUrl: string, prefix: string, queueName: string, n: number, window: number, keepResults = false): Promise<Throughput> {
  const queue = new Queue(queueName, { connection: bullConnection(redisUrl, false), prefix });
  try {
    await queue.waitUntilReady();
    const measure = startThroughput(n);
    const opts = { removeOnComplete: keepResults ? false : true, removeOnFail: true };
    for (let sent = 0; sent < n;) {
      const size = Math.min(window, n - sent);
      const batch: Promise<unknown>[] = new Array(size);
      for (let i = 0; i < size; i++) batch[i] = queue.add(BULL_JOB, { i: sent + i }, opts);
      await Promise.all(batch);
      sent += size;
    }
    return measure.stop();
  } finally {
    await queue.close();
  }
}

/** How many jobs of the queue completed so far (end-to-end runs poll it). */
export async function bullCompletedCounter(redisUrl: string, prefix: string, queueName: string): Promise<{ count(): Promise<number>; close(): Promise<void> }> {
  const queue = new Queue(queueName, { connection: bullConnection(redisUrl, false), prefix });
  await queue.waitUntilReady();
  return { count: () => queue.getCompletedCount(), close: () => queue.close() };
}

/** `count` sequential `add` + `waitUntilFinished` with a worker in this process (as Celeriac's round trip). */
export async function bullRoundTrips(redisUrl: string, prefix: string, queueName: string, count: number, warmup: number): Promise<number[]> {
  const queue = new Queue(queueName, { connection: bullConnection(redisUrl, false), prefix });
  const events = new QueueEvents(queueName, { connection: bullConnection(redisUrl, true), prefix });
  const worker = new Worker(queueName, async (job) => (job.data as { i: number }).i, { connection: bullConnection(redisUrl, true), prefix, concurrency: 1 });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    const latencies: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const started = performance.now();
      // kept until the run's queue is obliterated: a job removed on completion can vanish before waitUntilFinished looks
      const job = await queue.add(BULL_JOB, { i }, { removeOnComplete: false, removeOnFail: false });
      const value = (await job.waitUntilFinished(events, 10_000)) as unknown;
      if (value !== i) throw new Error(`BullMQ round trip ${i} returned ${JSON.stringify(value)}`);
      if (i >= warmup) latencies.push(elapsedMs(started));
    }
    return latencies;
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}

/** Removes every key of these queues (the run's own prefix only). */
export async function bullObliterate(redisUrl: string, prefix: string, queueNames: Iterable<string>): Promise<void> {
  for (const name of queueNames) {
    const queue = new Queue(name, { connection: bullConnection(redisUrl, false), prefix });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }
}
