/**
 * kombu's ack emulation on Redis: the `unacked` hash (delivery tag → `[envelope, exchange,
 * routing_key]`) and the `unacked_index` zset (delivery tag → when it was delivered). Ack
 * removes both; a restore moves the message back to its queues marked redelivered, atomically
 * and only if nobody acked or restored it meanwhile; `restoreVisible` is kombu's periodic
 * restore of what stayed unacked longer than the visibility timeout, under `unacked_mutex`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { markRedelivered, parseEnvelope, stringifyEnvelope, type KombuEnvelope } from './redis-envelope.js';
import { RELEASE_MUTEX, RESTORE, runScript } from './redis-scripts.js';

export interface UnackedHost {
  client(): Redis;
  key(name: string): string;
  /** The queues a message published to (exchange, routing key) goes to now (kombu's `_lookup`). */
  destinations(exchange: string, routingKey: string): Promise<string[]>;
  warn(message: string): void;
}

export class UnackedIndex {
  constructor(
    private readonly host: UnackedHost,
    private readonly options: { visibilityTimeout: number; mutexExpireSeconds: number; restoreLimit?: number },
  ) {}

  #pending: string[] = [];
  #flush: Promise<void> | null = null;

  /**
   * ack / reject(false): the message leaves the unacked hash and index. Acks of one tick go
   * to Redis together (one ZREM and one HDEL for all of them).
   */
  remove(tag: string): Promise<void> {
    this.#pending.push(tag);
    this.#flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const tags = this.#pending;
      this.#pending = [];
      this.#flush = null;
      await this.host.client().multi().zrem(this.host.key('unacked_index'), ...tags).hdel(this.host.key('unacked'), ...tags).exec();
    });
    return this.#flush;
  }

  /**
   * Puts an unacked message back on its queues, marked redelivered: at the back (`leftmost`,
   * kombu's reject with requeue) or at the front (restores). `expected` is the hash entry this
   * process wrote; null reads it first (a restore of someone else's message). Returns false
   * when the message was acked or restored meanwhile.
   */
  async restore(tag: string, expected: string | null, leftmost: boolean): Promise<boolean> {
    const client = this.host.client();
    const k = (n: string) => this.host.key(n);
    const stored = expected ?? (await client.hget(k('unacked'), tag));
    if (stored === null) {
      await client.zrem(k('unacked_index'), tag);
      return false;
    }
    const entry = parseUnackedEntry(stored);
    let payload = '';
    let destinations: string[] = [];
    if (entry) {
      payload = stringifyEnvelope(markRedelivered(entry.envelope));
      destinations = (await this.host.destinations(entry.exchange, entry.routingKey)).map(k);
    } else {
      this.host.warn(`dropping unacked entry ${tag}: not kombu's [envelope, exchange, routing_key]`);
    }
    const moved = await runScript(client, RESTORE, [k('unacked'), k('unacked_index')], [tag, stored, payload, leftmost ? 'L' : 'R', ...destinations]);
    return moved === 1;
  }

  /**
   * kombu's `restore_visible`: under the `unacked_mutex`, every message delivered more than
   * `visibilityTimeout` seconds ago and still unacked goes back to the front of its queue.
   * Returns how many were restored (0 when another consumer holds the mutex).
   */
  async restoreVisible(): Promise<number> {
    const client = this.host.client();
    const k = (n: string) => this.host.key(n);
    const mutex = k('unacked_mutex');
    const token = randomUUID();
    const got = await client.set(mutex, token, 'PX', Math.round(this.options.mutexExpireSeconds * 1000), 'NX');
    if (got !== 'OK') return 0;
    let restored = 0;
    try {
      const ceil = Date.now() / 1000 - this.options.visibilityTimeout;
      const limit = this.options.restoreLimit;
      const tags = limit ? await client.zrevrangebyscore(k('unacked_index'), ceil, 0, 'LIMIT', 0, limit) : await client.zrevrangebyscore(k('unacked_index'), ceil, 0);
      for (const tag of tags) if (await this.restore(tag, null, false)) restored++;
    } finally {
      await runScript(client, RELEASE_MUTEX, [mutex], [token]);
    }
    return restored;
  }
}

/** An unacked hash entry: kombu's `[envelope, exchange, routing_key]`, or null. */
export function parseUnackedEntry(stored: string): { envelope: KombuEnvelope; exchange: string; routingKey: string } | null {
  let v: unknown;
  try {
    v = JSON.parse(stored);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length < 3) return null;
  const envelope = parseEnvelope(JSON.stringify(v[0]));
  if (!envelope) return null;
  return { envelope, exchange: typeof v[1] === 'string' ? v[1] : '', routingKey: typeof v[2] === 'string' ? v[2] : '' };
}
