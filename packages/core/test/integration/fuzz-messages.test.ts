/**
 * Fuzz: thousands of generated messages (bodies, headers, embeds, content types and encodings,
 * compression, delivery counts), valid and malformed, published at one worker on RabbitMQ.
 * Every one must end (a result stored, or the message in `<queue>.dlq`), none may loop (no
 * task id runs twice, nothing is requeued, the queue drains), and every valid task runs exactly
 * once with its result stored. Default: 2,000 messages on a classic queue and 1,000 on a quorum
 * queue; set CELERIAC_FUZZ_MESSAGES for more, CELERIAC_FUZZ_SEED to replay a run.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { currentTask, type MessageProperties } from '../../src/index.js';
import { ZLIB_COMPRESSION } from '../../src/serialization/codec-registry.js';
import { REDIS_URL, until } from '../helpers/env.js';
import { depth, takeDeadLetters } from '../helpers/dead-letters.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

const TOTAL = Number(process.env.CELERIAC_FUZZ_MESSAGES ?? 3000);
const SEED = Number(process.env.CELERIAC_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const LIMIT = 4;
const MAX_INFLATED = 64 * 1024;

/** What the generator decided; the id and queue are filled in per message. */
interface Spec {
  kind: string;
  /** A valid task that must run once and return `expect`. */
  valid: boolean;
  expected?: unknown;
  idMode: 'ok' | 'missing' | 'number' | 'empty';
  task: unknown;
  headers: Record<string, unknown>;
  /** Body from (id, queue): embeds may name the queue. */
  body: (id: string, queue: string) => Buffer;
  contentType: string;
  contentEncoding: string;
  compress: 'none' | 'zlib' | 'garbage' | 'unknown' | 'bomb';
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
/** A header number amqplib can write (it writes integral doubles as int64). */
const headerNumber = fc.oneof(fc.integer(), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
const text = fc.string({ unit: 'binary', maxLength: 30 });
const args = fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 });
const kwargs = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

/** Signature options that are wrong in every way except by sending somewhere outside the test's queue. */
const options = fc.oneof(
  fc.constant({}),
  fc.constant({ queue: '$QUEUE' }),
  fc.record({ queue: fc.oneof(fc.constant({ x: 1 }), fc.integer(), fc.constant('q'.repeat(300))) }),
  fc.record({ priority: fc.oneof(fc.string(), fc.constant([]), fc.double()) }),
  fc.record({ countdown: fc.oneof(fc.string(), fc.constant(-5), fc.constant(null)) }),
  fc.record({ reply_to: fc.oneof(fc.integer(), fc.constant({})) }),
  fc.record({ headers: fc.oneof(fc.constant('x'), fc.constant([1])) }),
  fc.record({ exchange: fc.oneof(fc.constant(''), fc.integer()) }),
);
const signature = fc.record({
  task: fc.oneof(fc.constant('t.echo'), fc.constant('t.nope'), fc.integer(), fc.constant(null)),
  args: fc.oneof(args, fc.constant('x' as unknown)),
  kwargs: fc.oneof(kwargs, fc.constant(5 as unknown)),
  options,
  subtask_type: fc.oneof(fc.constant(null), fc.constant('chain'), fc.constant('group'), fc.constant('weird')),
  immutable: fc.oneof(fc.boolean(), fc.constant('yes' as unknown)),
});
const embed = fc.oneof(
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
  fc.record({
    callbacks: fc.oneof(fc.constant(null), fc.array(signature, { maxLength: 2 }), fc.constant('x' as unknown)),
    errbacks: fc.oneof(fc.constant(null), fc.array(signature, { maxLength: 2 })),
    chain: fc.oneof(fc.constant(null), fc.array(signature, { maxLength: 2 })),
    chord: fc.oneof(fc.constant(null), signature),
  }),
);
const withQueue = (v: unknown, queue: string): unknown => JSON.parse(JSON.stringify(v ?? null).replaceAll('"$QUEUE"', JSON.stringify(queue)));

const base = (over: Partial<Spec>): Spec => ({
  kind: 'valid', valid: false, idMode: 'ok', task: 't.echo', headers: {}, body: () => json([[1], {}, null]),
  contentType: 'application/json', contentEncoding: 'utf-8', compress: 'none', ...over,
});

const specs: fc.Arbitrary<Spec> = fc.oneof(
  // valid: protocol 2 or 1, maybe compressed, with extra headers Celeriac does not know
  fc.record({ a: args, k: kwargs, v1: fc.boolean(), zlib: fc.boolean(), extra: fc.dictionary(fc.constantFrom('x-extra', 'argsrepr', 'origin', 'stamps'), text) }).map(({ a, k, v1, zlib, extra }) =>
    base({
      kind: 'valid', valid: true, expected: a[0] ?? null, headers: v1 ? {} : extra, compress: zlib ? 'zlib' : 'none',
      task: v1 ? undefined : 't.echo',
      body: (id) => json(v1 ? { task: 't.echo', id, args: a, kwargs: k } : [a, k, null]),
    })),
  // bodies that are not a task
  fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.jsonValue({ maxDepth: 3 }).map(json),
    fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.jsonValue()).map(json),
    fc.constantFrom('[[1], {}', '[[1], {}, null] trailing', '\ufeff[[], {}, null]', '[NaN, {}, null]').map((s) => Buffer.from(s)),
    fc.constant(Buffer.from([0x5b, 0xff, 0xfe, 0x5d])),
  ).map((b) => base({ kind: 'bad body', body: () => b })),
  // headers of the wrong type or value
  fc.record({
    idMode: fc.constantFrom<Spec['idMode']>('ok', 'missing', 'number', 'empty'),
    task: fc.oneof(fc.constant('t.echo'), fc.constant('t.unknown'), fc.integer(), text, fc.constant(undefined)),
    field: fc.constantFrom('retries', 'eta', 'expires', 'timelimit', 'group_index', 'root_id', 'parent_id', 'shadow', 'group', 'ignore_result'),
    value: fc.oneof(text, headerNumber, fc.constant(null), fc.constant([1, 2, 3]), fc.constant({ a: 1 }), fc.constant('2020-01-01T00:00:00Z')),
  }).map(({ idMode, task, field, value }) => base({ kind: `header ${field}`, idMode, task, headers: { [field]: value } })),
  // content types and encodings
  fc.record({ ct: fc.constantFrom('', 'text/plain', 'application/x-python-serialize', 'application/x-yaml', 'application/json; charset=utf-8', 'application/x-msgpack'), ce: fc.constantFrom('utf-8', 'binary', 'latin-1', '') })
    .map(({ ct, ce }) => base({ kind: 'content type', contentType: ct, contentEncoding: ce })),
  // compression
  fc.constantFrom<Spec['compress']>('garbage', 'unknown', 'bomb').map((compress) => base({ kind: `compression ${compress}`, compress })),
  // embeds
  fc.tuple(args, embed).map(([a, e]) => base({ kind: 'embed', body: (_id, queue) => json([a, {}, withQueue(e, queue)]) })),
  // delivery counts written by someone else
  fc.record({ header: fc.constantFrom('x-celeriac-delivery-count', 'x-delivery-count'), value: fc.oneof(fc.integer({ min: -3, max: 2 * LIMIT }), text, headerNumber) })
    .map(({ header, value }) => base({ kind: 'delivery count', headers: { [header]: value } })),
);

function materialize(spec: Spec, id: string, queue: string, index: number): { body: Buffer; properties: MessageProperties } {
  const headers: Record<string, unknown> = { lang: 'py', root_id: id, ...spec.headers };
  if (spec.task !== undefined) headers.task = spec.task;
  if (spec.idMode === 'ok' && spec.task !== undefined) headers.id = id;
  else if (spec.idMode === 'number') headers.id = index;
  else if (spec.idMode === 'empty') headers.id = '';
  let body = spec.body(id, queue);
  if (spec.compress === 'zlib') body = deflateSync(body);
  else if (spec.compress === 'bomb') body = deflateSync(Buffer.alloc(MAX_INFLATED * 16, 0x20));
  if (spec.compress !== 'none') headers.compression = spec.compress === 'unknown' ? 'application/x-bzip2' : ZLIB_COMPRESSION;
  return {
    body,
    properties: { contentType: spec.contentType, contentEncoding: spec.contentEncoding, headers, deliveryMode: 2, correlationId: id, messageId: `fz-${index}` },
  };
}

for (const [quorum, share] of [[false, 2 / 3], [true, 1 / 3]] as const) {
  describe(`fuzzed messages on a ${quorum ? 'quorum' : 'classic'} queue`, () => {
    let t: TestApp;
    afterEach(async () => t?.cleanup());

    const count = Math.max(50, Math.round(TOTAL * share));
    it(`${count} generated messages all end, none loops, every valid task runs once (seed ${SEED})`, async () => {
      t = rabbitApp({ prefix: quorum ? 'fuzz_q' : 'fuzz_c', backend: REDIS_URL, quorumQueues: quorum, nativeDelayedDelivery: false, maxInflatedBytes: MAX_INFLATED });
      const { app, queue } = t;
      const runs = new Map<string, number>();
      app.task('t.echo', (...a: unknown[]) => {
        const { id } = currentTask();
        runs.set(id, (runs.get(id) ?? 0) + 1);
        return a[0] ?? null;
      });
      await app.topology.ensureTaskQueue(queue);
      const worker = app.worker({ concurrency: 16, deliveryLimit: LIMIT });
      const errors: Error[] = [];
      worker.events.on('error', (e) => errors.push(e));
      await worker.start();

      const generated = fc.sample(specs, { numRuns: count, seed: SEED + (quorum ? 1 : 0) });
      const ids = generated.map((_, i) => `fz-${quorum ? 'q' : 'c'}-${SEED}-${i}`);
      for (let i = 0; i < generated.length; i++) {
        await app.broker.publish({ exchange: '', routingKey: queue }, materialize(generated[i]!, ids[i]!, queue, i));
      }

      // drained: nothing waiting, nothing running, nothing held
      await until(async () => (await depth(app, queue)) === 0 && worker.active.size === 0 && worker.reserved.length === 0 && worker.scheduled.size === 0, 90_000, 200);
      const dlq = (await app.broker.inspectQueue(`${queue}.dlq`))?.messageCount ?? 0;
      const dead = new Set((await takeDeadLetters(app, queue, dlq)).map((d) => d.properties.messageId));
      const unfinished: string[] = [];
      for (let i = 0; i < generated.length; i++) {
        const spec = generated[i]!;
        const stored = await app.backend.get(ids[i]!);
        const ended = dead.has(`fz-${i}`) || (stored !== null && ['SUCCESS', 'FAILURE', 'REVOKED'].includes(stored.status))
          || (spec.headers.ignore_result === true && runs.get(ids[i]!) === 1);
        if (!ended) unfinished.push(`#${i} ${spec.kind}: ${JSON.stringify(materialize(spec, ids[i]!, queue, i).properties.headers).slice(0, 200)}`);
        if (spec.valid) {
          expect(runs.get(ids[i]!), `valid #${i} runs`).toBe(1);
          expect(stored?.status, `valid #${i} state`).toBe('SUCCESS');
          // what a JSON peer reads back: big integers as bigint, -0 as 0
          expect(stored?.result).toEqual(app.codecs.decode('application/json', json(spec.expected)));
        }
      }
      expect(unfinished).toEqual([]);
      for (const [id, n] of runs) expect(n, `runs of ${id}`).toBe(1);
      expect(worker.counters.get('requeued')).toBe(0);
      expect(worker.state).toBe('running');
      expect(errors).toEqual([]);
      await worker.stop();
      await Promise.all(ids.map((id) => app.backend.forget(id)));
    }, 240_000);
  });
}
