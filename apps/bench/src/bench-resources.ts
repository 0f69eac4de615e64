/**
 * Everything a bench run creates on RabbitMQ and Redis, under names unique to the run
 * (`celeriac_bench_<random>_…`, BullMQ keys under `bull_celeriac_bench_<random>`), and their removal at the end. Nothing else is touched.
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import type { Channel } from 'amqplib';
import { Redis } from 'ioredis';
import { bullObliterate } from './bullmq-peer.js';

/** What a Celeriac app of the bench is configured with, so all it declares can be removed. */
export interface AppNames {
  queue: string;
  controlExchange: string;
  eventExchange: string;
}

export class BenchResources {
  readonly prefix = `celeriac_bench_${randomBytes(4).toString('hex')}`;
  readonly #queues = new Set<string>();
  readonly #exchanges = new Set<string>();
  readonly #redisKeys = new Set<string>();
  readonly #bullQueues = new Set<string>();
  /** The BullMQ key prefix of this run (instead of BullMQ's shared `bull`). */
  readonly bullPrefix = `bull_${this.prefix}`;
  #count = 0;

  /** A fresh queue name for a raw amqplib scenario. */
  queue(label: string): string {
    const name = `${this.prefix}_${label}_${++this.#count}`;
    this.#queues.add(name);
    return name;
  }

  /** Names for a Celeriac app: its task queue (and the exchange Celery declares with it), control and event exchanges. */
  app(label: string): AppNames {
    const queue = this.queue(label);
    const ns = `${queue}_ns`;
    for (const x of [queue, `${ns}.pidbox`, `reply.${ns}.pidbox`, `${ns}_ev`]) this.#exchanges.add(x);
    this.#queues.add(`${queue}.dlq`);
    return { queue, controlExchange: ns, eventExchange: `${ns}_ev` };
  }

  /** Remembers a Redis key written for this run (result documents of the redis round trip). */
  redisKey(key: string): void {
    this.#redisKeys.add(key);
  }

  /** A fresh BullMQ queue name (under `bullPrefix`), obliterated at the end. */
  bullQueue(label: string): string {
    const name = `${label}_${++this.#count}`;
    this.#bullQueues.add(name);
    return name;
  }

  /** Obliterates one BullMQ queue now. */
  async bullDrop(redisUrl: string, name: string): Promise<void> {
    await bullObliterate(redisUrl, this.bullPrefix, [name]);
    this.#bullQueues.delete(name);
  }

  /** Deletes one queue now (big queues are dropped as soon as their scenario is over). */
  async dropQueue(amqpUrl: string, queue: string): Promise<void> {
    await withChannel(amqpUrl, async (open) => {
      await (await open()).deleteQueue(queue);
    });
    this.#queues.delete(queue);
  }

  /** Deletes every queue, exchange and key this run created. Missing ones are fine. */
  async release(amqpUrl: string, redisUrl: string): Promise<void> {
    await withChannel(amqpUrl, async (open) => {
      // a delete that fails closes the channel: open a new one for each name
      for (const q of this.#queues) await (await open()).deleteQueue(q).catch(() => undefined);
      for (const x of this.#exchanges) await (await open()).deleteExchange(x).catch(() => undefined);
    });
    this.#queues.clear();
    this.#exchanges.clear();
    if (this.#bullQueues.size > 0) {
      await bullObliterate(redisUrl, this.bullPrefix, this.#bullQueues);
      this.#bullQueues.clear();
    }
    if (this.#redisKeys.size > 0) {
      const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
      try {
        await redis.connect();
        const keys = [...this.#redisKeys];
        for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
        this.#redisKeys.clear();
      } finally {
        redis.disconnect();
      }
    }
  }
}

type OpenChannel = () => Promise<Channel>;

/** Runs `work` with a connection whose channel is re-opened whenever a failed call closed it. */
async function withChannel(amqpUrl: string, work: (open: OpenChannel) => Promise<void>): Promise<void> {
  const conn = await amqp.connect(amqpUrl);
  conn.on('error', () => undefined);
  let channel: Channel | null = null;
  const open: OpenChannel = async () => {
    if (channel) return channel;
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    ch.on('close', () => {
      if (channel === ch) channel = null;
    });
    channel = ch;
    return ch;
  };
  try {
    await work(open);
  } finally {
    await conn.close().catch(() => undefined);
  }
}
