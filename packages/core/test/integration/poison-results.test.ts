/**
 * Outcomes that cannot be recorded, and messages too big to handle, end instead of looping, on
 * classic and quorum queues: an unencodable result stores FAILURE EncodeError (as a Python worker
 * does) after one run; a malformed embed stores FAILURE or is dead-lettered; a zlib bomb is
 * dead-lettered unread; a 50 MB result is acked in seconds with a bounded heap.
 */
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ZLIB_COMPRESSION } from '../../src/serialization/codec-registry.js';
import { currentTask, type CeleryEvent } from '../../src/index.js';
import { REDIS_URL, until } from '../helpers/env.js';
import { depth, reasonOf, takeDeadLetters } from '../helpers/dead-letters.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

const json = 'application/json';
const headersFor = (id: string, task: string, extra: Record<string, unknown> = {}) => ({ lang: 'py', task, id, root_id: id, parent_id: null, ...extra });

for (const quorum of [false, true]) {
  describe(`poison results on a ${quorum ? 'quorum' : 'classic'} queue`, () => {
    let t: TestApp;
    afterEach(async () => t?.cleanup());

    function setup() {
      t = rabbitApp({ prefix: quorum ? 'poison_q' : 'poison_c', backend: REDIS_URL, quorumQueues: quorum, nativeDelayedDelivery: false });
      const { app, queue } = t;
      /** Runs per task id. */
      const runs = new Map<string, number>();
      const task = <A extends unknown[]>(name: string, fn: (...a: A) => unknown) =>
        app.task(name, (...a: A) => {
          const { id } = currentTask();
          runs.set(id, (runs.get(id) ?? 0) + 1);
          return fn(...a);
        });
      const publish = (id: string, taskName: string, body: unknown, extra: Record<string, unknown> = {}) =>
        app.broker.publish({ exchange: '', routingKey: queue }, {
          body: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
          properties: { contentType: json, contentEncoding: 'utf-8', headers: headersFor(id, taskName, extra), deliveryMode: 2, correlationId: id },
        });
      return { app, queue, runs, task, publish };
    }

    it('an unencodable result (Map, Buffer, circular, 100,000 levels) stores FAILURE EncodeError after one run', async () => {
      const { app, queue, runs, task } = setup();
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      const handles = [
        task('t.map', () => new Map([[1, 2]])),
        task('t.buffer', () => Buffer.from('bytes')),
        task('t.circular', () => circular),
        task('t.deep', () => deep),
      ];
      await app.topology.ensureTaskQueue(queue);
      const worker = app.worker({ concurrency: 4 });
      await worker.start();
      const results = await Promise.all(handles.map((h) => h.delay()));
      for (const r of results) {
        const err = await r.get({ timeout: 15_000 }).catch((e: unknown) => e);
        expect(err).toMatchObject({ state: 'FAILURE', excType: 'EncodeError', excModule: 'kombu.exceptions' });
      }
      await new Promise((r) => setTimeout(r, 500)); // long enough for a requeue loop to show
      expect([...runs.values()]).toEqual([1, 1, 1, 1]);
      expect(worker.counters.snapshot()).toMatchObject({ record_failed: 4, requeued: 0, dead_lettered: 0 });
      expect(await depth(app, queue)).toBe(0);
      expect(worker.state).toBe('running');
      await worker.stop();
    });

    it('malformed embeds end: FAILURE stored or the message dead-lettered, the task run at most once', async () => {
      const { app, queue, runs, task, publish } = setup();
      task('t.echo', (x: unknown) => x ?? 'none');
      task('t.boom', () => {
        throw new Error('boom');
      });
      await app.topology.ensureTaskQueue(queue);
      const worker = app.worker({ concurrency: 4 });
      await worker.start();
      const sig = (options: Record<string, unknown>, taskName: unknown = 't.echo') => ({ task: taskName, args: [], kwargs: {}, options, subtask_type: null, immutable: false });
      const cases: [string, string, unknown][] = [
        ['queue is an object', 't.echo', [[1], {}, { callbacks: [sig({ queue: { x: 1 } })], errbacks: null, chain: null, chord: null }]],
        ['priority is text', 't.echo', [[1], {}, { callbacks: [sig({ priority: 'high' })], errbacks: null, chain: null, chord: null }]],
        ['queue name too long', 't.echo', [[1], {}, { callbacks: null, errbacks: null, chain: [sig({ queue: 'q'.repeat(300) })], chord: null }]],
        ['chain step is not a signature', 't.echo', [[1], {}, { callbacks: null, errbacks: null, chain: [sig({}, 42)], chord: null }]],
        ['errback with a bad option on a failing task', 't.boom', [[], {}, { callbacks: null, errbacks: [sig({ priority: [] })], chain: null, chord: null }]],
        ['embed is a list', 't.echo', [[1], {}, [1, 2]]],
      ];
      const ids = cases.map((_, i) => `embed-${i}-${queue}`);
      for (let i = 0; i < cases.length; i++) await publish(ids[i]!, cases[i]![1], cases[i]![2]);
      // every case ends: FAILURE stored for its id, or its message dead-lettered (a refused message
      // whose id is known gets both: the copy in the dead-letter queue and a FAILURE for its caller)
      const failed = async () => new Set((await Promise.all(ids.map(async (id) => ((await app.backend.get(id))?.status === 'FAILURE' ? id : null)))).filter((x) => x !== null));
      await until(async () => (await failed()).size + worker.counters.get('dead_lettered') >= cases.length, 20_000, 100);
      await new Promise((r) => setTimeout(r, 500));
      const dead = await takeDeadLetters(app, queue, worker.counters.get('dead_lettered'));
      const ended = new Set([...await failed(), ...dead.map((d) => String(d.properties.headers.id))]);
      expect(ids.filter((id) => !ended.has(id))).toEqual([]);
      for (const n of runs.values()) expect(n).toBeLessThanOrEqual(1);
      expect(worker.counters.get('requeued')).toBe(0);
      expect(await depth(app, queue)).toBe(0);
      expect(worker.state).toBe('running');
      await worker.stop();
    });

    it('five zlib bombs (100 MB each inflated) are dead-lettered unread while the worker stays up and small', async () => {
      const { app, queue, task, publish } = setup();
      task('t.echo', (x: unknown) => x);
      await app.topology.ensureTaskQueue(queue);
      const bomb = deflateSync(Buffer.from(`[["${'a'.repeat(100 * 1024 * 1024)}"], {}, null]`));
      expect(bomb.length).toBeLessThan(200 * 1024);
      const worker = app.worker({ concurrency: 4 });
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      await worker.start();
      for (let i = 0; i < 5; i++) await publish(`bomb-${i}`, 't.echo', bomb, { compression: ZLIB_COMPRESSION });
      const ok = await app.sendTask('t.echo', ['after the bombs']);
      expect(await ok.get({ timeout: 15_000 })).toBe('after the bombs');
      const dead = await takeDeadLetters(app, queue, 5);
      clearInterval(sampler);
      for (const d of dead) expect(reasonOf(d)).toMatch(/^DecodeError: compressed body inflates past the limit/);
      expect(worker.counters.snapshot()).toMatchObject({ decode_failed: 5, dead_lettered: 5 });
      // inflating even one of them would have cost 100 MB
      expect(peak - rss0).toBeLessThan(90 * 1024 * 1024);
      expect(worker.state).toBe('running');
      await worker.stop();
    });

    it('a task returning a 50 MB string is acked within seconds with a bounded heap; its event repr is 1 KB', async () => {
      const { app, queue, task } = setup();
      const big = task('t.big', () => 'x'.repeat(50 * 1024 * 1024));
      await app.topology.ensureTaskQueue(queue);
      const events: CeleryEvent[] = [];
      const receiver = app.eventReceiver('task.succeeded');
      receiver.on('event', (e) => events.push(e));
      await receiver.start();
      const worker = app.worker({ sendEvents: true });
      await worker.start();
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      const t0 = Date.now();
      const r = await big.delay();
      await until(() => worker.processed === 1 && worker.active.size === 0, 30_000);
      const took = Date.now() - t0;
      clearInterval(sampler);
      if (process.env.CELERIAC_REPORT) console.log(`50 MB result: acked in ${took} ms, rss peak +${Math.round((peak - rss0) / 1e6)} MB`);
      expect(took).toBeLessThan(10_000);
      // the value, its JSON text and the bytes sent to Redis: a few copies of 50 MB, not 2 GB
      expect(peak - rss0).toBeLessThan(800 * 1024 * 1024);
      expect(await depth(app, queue)).toBe(0);
      await until(() => events.length === 1, 10_000);
      expect(String(events[0]!.result).length).toBeLessThanOrEqual(1030);
      await receiver.stop();
      await app.backend.forget(r.id);
      await worker.stop();
    }, 60_000);
  });
}
