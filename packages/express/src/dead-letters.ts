/**
 * The dead-letter browser: look at the messages a worker moved to `<queue>.dlq` (with the
 * `x-celeriac-reason` it gave), send one back to its queue, or delete it.
 *
 * AMQP has no way to read a queue without taking its messages, so a look consumes up to
 * `limit` messages on a channel of its own and then closes that channel: RabbitMQ puts every
 * message it did not settle back where it was (on RabbitMQ 4, returns caused by closing a
 * channel do not count towards a quorum queue's delivery limit). Nothing is ever acked before
 * it is safe:
 * - requeue = publish a copy to the original queue, wait for the broker's confirm, then ack the
 *   dead-lettered message (a crash in between leaves a duplicate, never a loss);
 * - delete = ack that one message.
 * Messages are named by a digest of their body and headers (`key`), stable across looks.
 */
import { createHash } from 'node:crypto';
import type { CeleriacApp, Delivery } from '@celeriac/core';

export interface DeadLetter {
  /** Stable name of this message (digest of body and headers). */
  key: string;
  /** The task queue it came from (`x-celeriac-queue`). */
  queue: string | null;
  taskId: string | null;
  taskName: string | null;
  /** Why the worker set it aside (`x-celeriac-reason`). */
  reason: string | null;
  /** `x-celeriac-dead-lettered-at` (ISO time). */
  deadLetteredAt: string | null;
  contentType: string;
  /** Body size in bytes. */
  size: number;
  /** The body as text (cut at 4 KiB), or null when it is not text. */
  body: string | null;
  /** Headers as strings (cut), for display. */
  headers: Record<string, string>;
}

export interface DeadLetterPage {
  messages: DeadLetter[];
  /** Messages in the dead-letter queue (null when it does not exist). */
  total: number | null;
}

const BODY_PREVIEW = 4096;

/** Up to `limit` messages at the head of `dlq`, left in place. */
export async function peekDeadLetters(app: CeleriacApp, dlq: string, limit: number, waitMs = 1500): Promise<DeadLetterPage> {
  const info = await app.broker.inspectQueue(dlq);
  if (!info) return { messages: [], total: null };
  const want = Math.min(limit, info.messageCount);
  if (want === 0) return { messages: [], total: info.messageCount };
  const held = await take(app, dlq, want, waitMs, () => false);
  try {
    return { messages: held.deliveries.map(describe), total: info.messageCount };
  } finally {
    await held.release();
  }
}

export type DeadLetterAction = 'requeue' | 'delete';

/**
 * Requeues or deletes the message named `key` among the first `scan` messages of `dlq`.
 * `allowedQueue` decides whether its original queue may receive it back. Only `done` means
 * the message left the dead-letter queue.
 */
export async function actOnDeadLetter(
  app: CeleriacApp, dlq: string, key: string, action: DeadLetterAction,
  allowedQueue: (queue: string) => boolean, options: { scan?: number; waitMs?: number } = {},
): Promise<{ result: 'done' | 'not-found' | 'no-queue'; queue: string | null }> {
  const info = await app.broker.inspectQueue(dlq);
  if (!info || info.messageCount === 0) return { result: 'not-found', queue: null };
  const held = await take(app, dlq, Math.min(options.scan ?? 1000, info.messageCount), options.waitMs ?? 1500, (d) => keyOf(d) === key);
  try {
    const found = held.deliveries.find((d) => keyOf(d) === key);
    if (!found) return { result: 'not-found', queue: null };
    const queue = headerText(found.properties.headers?.['x-celeriac-queue']);
    if (action === 'delete') {
      found.ack();
      return { result: 'done', queue };
    }
    if (queue === null || !allowedQueue(queue)) return { result: 'no-queue', queue };
    const headers: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(found.properties.headers ?? {})) if (!k.startsWith('x-celeriac-')) headers[k] = v;
    await app.broker.publish({ exchange: '', routingKey: queue }, { body: found.body, properties: { ...found.properties, headers, deliveryMode: 2 } });
    found.ack(); // only once the broker confirmed the copy
    return { result: 'done', queue };
  } finally {
    await held.release();
  }
}

/**
 * Consumes up to `count` messages on a subscription of its own, until `stop` says so or
 * `waitMs` passed, and holds them: `release()` closes the subscription, which puts every
 * message not settled by then back in the queue.
 */
async function take(app: CeleriacApp, queue: string, count: number, waitMs: number, stop: (d: Delivery) => boolean): Promise<{ deliveries: Delivery[]; release(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sub = await app.broker.consume([queue], (d) => {
    deliveries.push(d);
    if (stop(d) || deliveries.length >= count) done();
  }, { prefetch: count });
  const timer = setTimeout(done, waitMs);
  await finished;
  clearTimeout(timer);
  await sub.cancel();
  return { deliveries, release: () => sub.close() };
}

/** The message's stable name: a digest of its body and headers. */
export function keyOf(d: Pick<Delivery, 'body' | 'properties'>): string {
  const h = createHash('sha256');
  h.update(d.body);
  h.update(JSON.stringify(d.properties.headers ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return h.digest('hex').slice(0, 24);
}

function describe(d: Delivery): DeadLetter {
  const h = d.properties.headers ?? {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) headers[k] = cut(typeof v === 'string' ? v : safeJson(v), 500);
  const text = d.body.toString('utf8');
  return {
    key: keyOf(d),
    queue: headerText(h['x-celeriac-queue']),
    taskId: headerText(h.id),
    taskName: headerText(h.task),
    reason: headerText(h['x-celeriac-reason']),
    deadLetteredAt: headerText(h['x-celeriac-dead-lettered-at']),
    contentType: d.properties.contentType,
    size: d.body.length,
    body: text.includes('\uFFFD') ? null : cut(text, BODY_PREVIEW),
    headers,
  };
}

function headerText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  return Buffer.isBuffer(v) ? v.toString('utf8') : null;
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : Buffer.isBuffer(x) ? `<${x.length} bytes>` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
