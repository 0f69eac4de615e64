/**
 * 1,000 malformed messages mixed with valid tasks: the worker stays up, every valid task
 * completes, every bad message lands in `<queue>.dlq` with its reason, nothing disappears.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery, MessageProperties } from '../../src/index.js';
import { until } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

const json = 'application/json';
const good = (id: string) => ({ lang: 'py', task: 't.add', id, retries: 0, timelimit: [null, null], root_id: id, parent_id: null });

type Bad = { kind: string; body: Buffer; properties: Omit<MessageProperties, 'headers'> & { headers: Record<string, unknown> } };

function badMessages(n: number): Bad[] {
  const id = () => randomBytes(8).toString('hex');
  const props = (headers: Record<string, unknown>, contentType = json) => ({ contentType, contentEncoding: 'utf-8', headers, deliveryMode: 2 as const });
  const makers: (() => Bad)[] = [
    () => ({ kind: 'random bytes', body: randomBytes(64), properties: props(good(id())) }),
    () => ({ kind: 'pickle', body: Buffer.from('\x80\x04\x95cos\nsystem\n'), properties: { ...props(good(id()), 'application/x-python-serialize'), contentEncoding: 'binary' } }),
    () => ({ kind: 'wrong content type', body: Buffer.from('[[1, 2], {}, null]'), properties: props(good(id()), 'text/plain') }),
    () => ({ kind: 'no content type', body: Buffer.from('[[1, 2], {}, null]'), properties: props(good(id()), '') }),
    () => ({ kind: 'two-element body', body: Buffer.from('[[1, 2], {}]'), properties: props(good(id())) }),
    () => ({ kind: 'no task header', body: Buffer.from('[[1, 2], {}, null]'), properties: props({ id: id() }) }),
    () => ({ kind: 'no id header', body: Buffer.from('[[1, 2], {}, null]'), properties: props({ task: 't.add' }) }),
    () => ({ kind: 'task header not a string', body: Buffer.from('[[1, 2], {}, null]'), properties: props({ task: 42, id: id() }) }),
    () => ({ kind: 'retries a string', body: Buffer.from('[[1, 2], {}, null]'), properties: props({ ...good(id()), retries: 'three' }) }),
    () => ({ kind: 'eta garbage', body: Buffer.from('[[1, 2], {}, null]'), properties: props({ ...good(id()), eta: 'tomorrow-ish' }) }),
    () => ({ kind: 'timelimit wrong shape', body: Buffer.from('[[1, 2], {}, null]'), properties: props({ ...good(id()), timelimit: 'soon' }) }),
    () => ({ kind: 'args not a list', body: Buffer.from('[{"x": 1}, {}, null]'), properties: props(good(id())) }),
    () => ({ kind: 'embed not an object', body: Buffer.from('[[1, 2], {}, 7]'), properties: props(good(id())) }),
    () => ({ kind: 'unknown task', body: Buffer.from('[[1, 2], {}, null]'), properties: props({ ...good(id()), task: 'no.such.task' }) }),
    () => ({ kind: 'bad zlib', body: Buffer.from('not deflated'), properties: props({ ...good(id()), compression: 'application/x-gzip' }) }),
    () => ({ kind: 'invalid utf-8', body: Buffer.from([0x5b, 0xff, 0xfe, 0x5d]), properties: props(good(id())) }),
  ];
  const out: Bad[] = [];
  for (let i = 0; i < n; i++) out.push(makers[i % makers.length]!());
  return out;
}

describe('bad input on RabbitMQ', () => {
  let t: TestApp;
  afterEach(async () => t?.cleanup());

  it('dead-letters 1,000 malformed messages (and a 10 MB one) while every valid task completes', async () => {
    t = rabbitApp({ prefix: 'bad', backend: 'rpc://' });
    const { app, queue } = t;
    const add = app.task('t.add', (x: number, y: number) => x + y);
    await app.topology.ensureTaskQueue(queue);
    const worker = app.worker({ concurrency: 16 });
    const errors: Error[] = [];
    worker.events.on('error', (e) => errors.push(e));
    await worker.start();

    const bad = badMessages(1000);
    bad.push({ kind: '10 MB body', body: randomBytes(10 * 1024 * 1024), properties: { contentType: json, contentEncoding: 'utf-8', headers: good('big'), deliveryMode: 2 } });
    const valid = [];
    let b = 0;
    for (let i = 0; i < 300; i++) {
      valid.push(await add.delay(i, i));
      for (let k = 0; k < 4 && b < bad.length; k++, b++) await app.broker.publish({ exchange: '', routingKey: queue }, bad[b]!);
    }
    while (b < bad.length) await app.broker.publish({ exchange: '', routingKey: queue }, bad[b++]!);

    const results = await Promise.all(valid.map((r) => r.get({ timeout: 60_000 })));
    expect(results).toEqual(valid.map((_, i) => 2 * i));
    await until(async () => (await app.broker.inspectQueue(`${queue}.dlq`))?.messageCount === bad.length, 60_000, 200);
    expect(worker.state).toBe('running');

    // every dead-lettered message says why
    const reasons = new Map<string, number>();
    const seen: Delivery[] = [];
    const sub = await app.broker.consume([`${queue}.dlq`], (d) => {
      seen.push(d);
      const reason = String(d.properties.headers['x-celeriac-reason'] ?? '');
      const kind = reason.split(':')[0]!;
      reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      expect(d.properties.headers['x-celeriac-queue']).toBe(queue);
      d.ack();
    }, { prefetch: 200 });
    await until(() => seen.length === bad.length, 30_000);
    await sub.close();
    expect(reasons.get('')).toBeUndefined();
    expect([...reasons.keys()].sort()).toEqual(['ContentDisallowedError', 'DecodeError', 'InvalidTaskMessageError', 'NotRegistered']);
    expect((await app.broker.inspectQueue(queue))?.messageCount).toBe(0);
    expect(errors).toEqual([]);
    await worker.stop();
  }, 120_000);
});
