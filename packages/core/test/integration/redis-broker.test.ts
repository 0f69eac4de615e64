/**
 * What the Redis transport does beyond the shared conformance suite, on the real Redis (db 9,
 * every key under a prefix unique to the test): kombu's key layout, restoring what a dead
 * consumer left in the unacked hash, surviving killed connections without losing a message,
 * and the worker's dead-letter path onto a plain list.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_COUNT_HEADER, type Delivery } from '../../src/index.js';
import { RedisBroker } from '../../src/broker/redis/redis-broker.js';
import { REDIS_URL, unique, until } from '../helpers/env.js';
import { deletePrefix, redisBrokerApp } from '../helpers/redis-broker-app.js';

const props = { contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, deliveryMode: 2 as const };
const msg = (n: number, priority?: number) => ({ body: Buffer.from(String(n)), properties: { ...props, ...(priority !== undefined ? { priority } : {}) } });

describe('Redis broker', () => {
  let redis: Redis;
  let prefix: string;
  const brokers: RedisBroker[] = [];
  const open = (o: Partial<ConstructorParameters<typeof RedisBroker>[0]> = {}) => {
    const b = new RedisBroker({ url: REDIS_URL, globalKeyprefix: prefix, ...o });
    brokers.push(b);
    return b;
  };

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    for (const b of brokers.splice(0)) await b.close();
    await deletePrefix(REDIS_URL, prefix);
  });
  afterAll(() => redis.disconnect());

  it('lays out queues, priorities, bindings and the unacked index as kombu does', async () => {
    prefix = `${unique('rbk')}:`;
    const b = open();
    await b.connect();
    const q = unique('q');
    await b.declareQueue({ name: q });
    await b.declareExchange({ name: q, type: 'direct' });
    await b.bindQueue({ queue: q, exchange: q, routingKey: q });
    expect(await redis.smembers(`${prefix}_kombu.binding.${q}`)).toEqual([`${q}\x06\x16\x06\x16${q}`]);
    await b.publish({ exchange: q, routingKey: q }, msg(1));
    await b.publish({ exchange: '', routingKey: q }, msg(2, 7));
    expect(await redis.llen(`${prefix}${q}`)).toBe(1);
    expect(await redis.llen(`${prefix}${q}\x06\x166`)).toBe(1);
    const env = JSON.parse((await redis.lindex(`${prefix}${q}`, 0))!) as { properties: { delivery_info: unknown; body_encoding: string } };
    expect(env.properties).toMatchObject({ delivery_info: { exchange: q, routing_key: q }, body_encoding: 'base64' });
    const held: Delivery[] = [];
    await b.consume([q], (d) => held.push(d), { prefetch: 5 });
    await until(() => held.length === 2);
    expect(held.map((d) => d.body.toString())).toEqual(['1', '2']);
    expect(await redis.hlen(`${prefix}unacked`)).toBe(2);
    expect(await redis.zcard(`${prefix}unacked_index`)).toBe(2);
    held[0]!.ack();
    held[1]!.reject(false);
    await until(async () => (await redis.hlen(`${prefix}unacked`)) === 0);
    expect(await redis.zcard(`${prefix}unacked_index`)).toBe(0);
  });

  it('restores what a dead consumer left unacked once the visibility timeout passed, as kombu does', async () => {
    prefix = `${unique('rbk')}:`;
    const q = unique('q');
    // what a kombu consumer that died wrote: the entry in the unacked hash, its time in the index
    const tag = randomUUID();
    const envelope = {
      body: Buffer.from('"left"').toString('base64'), 'content-encoding': 'utf-8', 'content-type': 'application/json', headers: { id: 'x' },
      properties: { body_encoding: 'base64', delivery_tag: tag, delivery_info: { exchange: '', routing_key: q }, delivery_mode: 2, priority: 0 },
    };
    await redis.hset(`${prefix}unacked`, tag, JSON.stringify([envelope, '', q]));
    await redis.zadd(`${prefix}unacked_index`, Date.now() / 1000 - 5, tag);
    const b = open({ visibilityTimeout: 2, restoreIntervalSeconds: 0.2 });
    const got: Delivery[] = [];
    await b.consume([q], (d) => got.push(d), { prefetch: 1 });
    await until(() => got.length === 1, 5_000);
    expect(got[0]!.body.toString()).toBe('"left"');
    expect(got[0]!.redelivered).toBe(true);
    expect(got[0]!.properties.headers).toMatchObject({ id: 'x', redelivered: true });
    // ours now: it is back in the hash under the same tag until acked
    expect(await redis.hexists(`${prefix}unacked`, tag)).toBe(1);
    got[0]!.ack();
    await until(async () => (await redis.hlen(`${prefix}unacked`)) === 0);
  });

  it('loses nothing when Redis kills its connections mid-stream', async () => {
    prefix = `${unique('rbk')}:`;
    const q = unique('q');
    const producer = open();
    const consumer = open();
    await producer.declareQueue({ name: q });
    const seen = new Set<number>();
    let deliveries = 0;
    await consumer.consume([q], (d) => {
      deliveries++;
      seen.add(Number(d.body.toString()));
      setTimeout(() => d.ack(), 1);
    }, { prefetch: 20 });
    const total = 600;
    const sending = (async () => {
      for (let i = 0; i < total; i++) await producer.publish({ exchange: '', routingKey: q }, msg(i));
    })();
    for (let k = 0; k < 3; k++) {
      await new Promise((r) => setTimeout(r, 150));
      const list = String(await redis.client('LIST'));
      for (const line of list.split('\n')) {
        const m = /id=(\d+) .* name=(\S+)/.exec(line);
        if (m && (m[2]!.startsWith(consumer.connectionName) || m[2]!.startsWith(producer.connectionName))) await redis.client('KILL', 'ID', m[1]!);
      }
    }
    await sending;
    await until(() => seen.size === total, 20_000);
    expect(consumer.stats().disconnects + consumer.stats().reconnects).toBeGreaterThan(0);
    expect(deliveries - total).toBeLessThan(50);
    await until(async () => (await redis.hlen(`${prefix}unacked`)) === 0);
  });

  it('dead-letters a task the worker cannot run onto <queue>.dlq, a plain list', async () => {
    const t = redisBrokerApp();
    prefix = t.prefix;
    const worker = t.app.worker({ concurrency: 1 });
    await worker.start();
    try {
      await t.app.sendTask('no.such.task', [1]);
      await until(async () => (await redis.llen(`${t.prefix}${t.queue}.dlq`)) === 1);
      const env = JSON.parse((await redis.lindex(`${t.prefix}${t.queue}.dlq`, 0))!) as { headers: Record<string, unknown> };
      expect(env.headers).toMatchObject({ task: 'no.such.task', 'x-celeriac-queue': t.queue });
      expect(String(env.headers['x-celeriac-reason'])).toMatch(/NotRegistered/);
      expect(await redis.hlen(`${t.prefix}unacked`)).toBe(0);
    } finally {
      await worker.stop();
      await t.cleanup();
    }
  });

  it('ends at the delivery limit: a message restored redelivered once too often is dead-lettered with FAILURE WorkerLostError', async () => {
    const t = redisBrokerApp({ visibilityTimeout: 1 });
    prefix = t.prefix;
    t.app.task('rb.never', () => 'ran');
    // a consumer takes the message (already counted twice) and vanishes without acking it
    const holder = open();
    const held: Delivery[] = [];
    await holder.consume([t.queue], (d) => held.push(d), { prefetch: 1 });
    const r = await t.app.sendTask('rb.never', [], {}, { headers: { [DELIVERY_COUNT_HEADER]: 2 } });
    await until(() => held.length === 1);
    await holder.close();
    // close() put it back, not redelivered; take it again and backdate it past the visibility timeout
    const again = open();
    const held2: Delivery[] = [];
    await again.consume([t.queue], (d) => held2.push(d), { prefetch: 1 });
    await until(() => held2.length === 1);
    expect(held2[0]!.redelivered).toBe(true);
    const worker = t.app.worker({ concurrency: 1, deliveryLimit: 3 });
    await worker.start();
    try {
      const err = await r.get({ timeout: 15_000 }).catch((e: unknown) => e);
      expect(String((err as Error).message ?? err)).toMatch(/delivery limit reached/);
      await until(async () => (await redis.llen(`${t.prefix}${t.queue}.dlq`)) === 1, 10_000);
    } finally {
      await worker.stop();
      await t.cleanup();
    }
  });

  it('fails to connect in one line when nothing listens, and can try again', async () => {
    prefix = `${unique('rbk')}:`;
    const b = open({ url: 'redis://127.0.0.1:1/0', connectTimeoutMs: 500 });
    const err = await b.connect().catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^cannot connect to the broker at redis:\/\/127\.0\.0\.1:1\/0: /);
    expect((err as Error).message).not.toContain('\n');
    expect(b.state).toBe('idle');
    await expect(b.connect()).rejects.toThrow(/cannot connect/);
  });
});
