/**
 * The baselines: plain amqplib doing what Celeriac does underneath, on a fresh connection per
 * run. Confirmed persistent publishes in `Promise.all` batches of `window` (waiting for `drain`
 * like Celeriac's publisher), consume + ack per message with the worker's prefetch, and a
 * request/reply round trip shaped like `delay().get()` on the rpc backend.
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { MessageTemplate } from './message-template.js';
import { elapsedMs, startThroughput, type Throughput } from './stats.js';

async function connect(amqpUrl: string, name: string): Promise<ChannelModel> {
  const conn = await amqp.connect(amqpUrl, { noDelay: true, clientProperties: { connection_name: `celeriac-bench raw ${name}` } });
  conn.on('error', () => undefined);
  return conn;
}

function publishConfirmed(ch: ConfirmChannel, queue: string, t: MessageTemplate, onSent: (ok: boolean) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ok = ch.publish('', queue, t.body, t.options, (err) => (err ? reject(err) : resolve()));
    onSent(ok);
  });
}

/** Publishes `n` copies of the template to a durable queue. */
export async function rawPublish(amqpUrl: string, queue: string, t: MessageTemplate, n: number, window: number): Promise<Throughput> {
  const conn = await connect(amqpUrl, 'publish');
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    let full = false;
    const onSent = (ok: boolean) => {
      if (!ok) full = true;
    };
    const measure = startThroughput(n);
    for (let sent = 0; sent < n;) {
      const size = Math.min(window, n - sent);
      const batch: Promise<void>[] = new Array(size);
      for (let i = 0; i < size; i++) {
        if (full) {
          await once(ch, 'drain');
          full = false;
        }
        batch[i] = publishConfirmed(ch, queue, t, onSent);
      }
      await Promise.all(batch);
      sent += size;
    }
    return measure.stop();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/**
 * Consumes `n` messages (already queued) acking each one, with this prefetch; the rate is
 * from the first delivery to the last ack.
 */
export async function rawConsume(amqpUrl: string, queue: string, n: number, prefetch: number): Promise<Throughput> {
  const conn = await connect(amqpUrl, 'consume');
  try {
    const ch = await conn.createChannel();
    await ch.prefetch(prefetch, true);
    const measure = startThroughput(n);
    let count = 0;
    let first = 0;
    let last = 0;
    const done = new Promise<void>((resolve) => {
      void ch.consume(queue, (msg) => {
        if (msg === null) return;
        if (count === 0) first = performance.now();
        ch.ack(msg);
        if (++count === n) {
          last = performance.now();
          resolve();
        }
      }, { noAck: false });
    });
    await done;
    return measure.stop(last - first);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/**
 * `count` sequential request/replies: a confirmed publish of the template with a reply queue,
 * a consumer that publishes the reply (confirmed) and then acks, the reply consumed without
 * acks. Latencies in milliseconds, after `warmup` unmeasured ones.
 */
export async function rawRoundTrips(amqpUrl: string, queue: string, t: MessageTemplate, count: number, warmup: number): Promise<number[]> {
  const conn = await connect(amqpUrl, 'round trip');
  try {
    const pub = await conn.createConfirmChannel();
    const server = await conn.createChannel();
    const client = await conn.createChannel();
    await pub.assertQueue(queue, { durable: true });
    const { queue: replyQueue } = await client.assertQueue('', { exclusive: true, autoDelete: true });
    const waiting = new Map<string, () => void>();
    await client.consume(replyQueue, (msg) => {
      if (msg) waiting.get(msg.properties.correlationId as string)?.();
    }, { noAck: true });
    await server.prefetch(32, true);
    await server.consume(queue, (msg) => {
      if (!msg) return;
      const reply = Buffer.from('{"status":"SUCCESS","result":null}');
      pub.publish('', msg.properties.replyTo as string, reply, { correlationId: msg.properties.correlationId as string, deliveryMode: 1, contentType: 'application/json' }, (err) => {
        if (!err) server.ack(msg);
      });
    });
    const latencies: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const id = randomUUID();
      const started = performance.now();
      const replied = new Promise<void>((resolve) => waiting.set(id, resolve));
      await new Promise<void>((resolve, reject) => {
        pub.publish('', queue, t.body, { ...t.options, correlationId: id, replyTo: replyQueue }, (err) => (err ? reject(err) : resolve()));
      });
      await replied;
      waiting.delete(id);
      if (i >= warmup) latencies.push(elapsedMs(started));
    }
    return latencies;
  } finally {
    await conn.close().catch(() => undefined);
  }
}
