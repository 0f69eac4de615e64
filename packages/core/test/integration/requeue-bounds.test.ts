/**
 * The only requeues left are bounded ones, on classic and quorum queues: a passing backend
 * failure puts the message back after a growing delay and the result is stored once the
 * backend is back; a lasting one, or a task that asks to be requeued for ever, ends at the
 * delivery limit with the message in `<queue>.dlq` and FAILURE stored. Log lines about these
 * messages are escaped and rate-limited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionClosedError, createCodecRegistry, currentTask, LAST_ERROR_HEADER, RedisBackend, Reject, type ResultBackend, type ResultMeta, type StoreTarget,
} from '../../src/index.js';
import { REDIS_URL, until } from '../helpers/env.js';
import { depth, reasonOf, takeDeadLetters } from '../helpers/dead-letters.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

/** The real Redis backend, except that `store()` fails with a broker-down error while `failing(meta)` says so. */
class FlakyBackend implements ResultBackend {
  readonly kind = 'redis';
  readonly supportsChords = true;
  readonly inner = new RedisBackend({ url: REDIS_URL, codecs: createCodecRegistry() });
  constructor(private readonly failing: (meta: ResultMeta) => boolean) {}
  prepareClient = () => this.inner.prepareClient();
  store(meta: ResultMeta, target: StoreTarget): Promise<void> {
    if (this.failing(meta)) return Promise.reject(new ConnectionClosedError('result backend unreachable (test)'));
    return this.inner.store(meta, target);
  }
  get = (id: string) => this.inner.get(id);
  wait: ResultBackend['wait'] = (id, o) => this.inner.wait(id, o);
  forget = (id: string) => this.inner.forget(id);
  exists = (id: string) => this.inner.exists(id);
  close = () => this.inner.close();
}

const LIMIT = 3;

for (const quorum of [false, true]) {
  describe(`bounded requeues on a ${quorum ? 'quorum' : 'classic'} queue`, () => {
    let t: TestApp;
    afterEach(async () => t?.cleanup());

    function setup(backend: ResultBackend, logger?: TestApp['app']['logger']) {
      t = rabbitApp({ prefix: quorum ? 'requeue_q' : 'requeue_c', backend, quorumQueues: quorum, nativeDelayedDelivery: false, ...(logger ? { logger } : {}) });
      const runs: number[] = [];
      const times = new Map<string, number[]>();
      const count = () => {
        const { id } = currentTask();
        times.set(id, [...(times.get(id) ?? []), Date.now()]);
        runs.push(Date.now());
      };
      return { app: t.app, queue: t.queue, runs, times, count };
    }

    it('a passing backend outage requeues with a growing delay, then the result is stored once', async () => {
      let outages = 2;
      const backend = new FlakyBackend((m) => m.status === 'SUCCESS' && outages-- > 0);
      const { app, queue, times, count } = setup(backend);
      const add = app.task('t.add', (x: number, y: number) => {
        count();
        return x + y;
      });
      await app.topology.ensureTaskQueue(queue);
      const worker = app.worker({ deliveryLimit: LIMIT + 2, requeueBaseDelayMs: 300, requeueMaxDelayMs: 5000 });
      await worker.start();
      const r = await add.delay(2, 3);
      expect(await r.get({ timeout: 20_000 })).toBe(5);
      const ran = times.get(r.id)!;
      expect(ran).toHaveLength(3);
      // backoff with jitter in [50%, 100%] of 300 ms, then of 600 ms
      expect(ran[1]! - ran[0]!).toBeGreaterThanOrEqual(150);
      expect(ran[2]! - ran[1]!).toBeGreaterThanOrEqual(300);
      expect(worker.counters.snapshot()).toMatchObject({ requeued: 2, dead_lettered: 0, delivery_limit: 0 });
      expect(await depth(app, queue)).toBe(0);
      await worker.stop();
    });

    it('a lasting outage ends at the delivery limit: dead-lettered with the last error, FAILURE WorkerLostError stored', async () => {
      const backend = new FlakyBackend((m) => m.status === 'SUCCESS');
      const { app, queue, times, count } = setup(backend);
      const add = app.task('t.add', (x: number, y: number) => {
        count();
        return x + y;
      });
      await app.topology.ensureTaskQueue(queue);
      const worker = app.worker({ deliveryLimit: LIMIT, requeueBaseDelayMs: 50, requeueMaxDelayMs: 200 });
      await worker.start();
      const r = await add.delay(1, 1);
      const err = await r.get({ timeout: 20_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ state: 'FAILURE', excType: 'WorkerLostError', excModule: 'billiard.exceptions' });
      expect((err as Error).message).toContain('last error: ConnectionClosedError: result backend unreachable (test)');
      expect(times.get(r.id)).toHaveLength(LIMIT);
      const [dead] = await takeDeadLetters(app, queue, 1);
      expect(reasonOf(dead!)).toMatch(/^delivery limit reached: delivered 3 times without an outcome \(limit 3\)/);
      expect(dead!.properties.headers[LAST_ERROR_HEADER]).toContain('ConnectionClosedError');
      expect(worker.counters.snapshot()).toMatchObject({ requeued: LIMIT, delivery_limit: 1, dead_lettered: 1 });
      expect(worker.state).toBe('running');
      await worker.stop();
    });

    it('a task that asks to be requeued for ever (Reject requeue) runs deliveryLimit times, then ends', async () => {
      const { app, queue, times, count } = setup(new FlakyBackend(() => false));
      const stubborn = app.task('t.stubborn', () => {
        count();
        throw new Reject('not now', { requeue: true });
      });
      await app.topology.ensureTaskQueue(queue);
      const worker = app.worker({ deliveryLimit: LIMIT });
      await worker.start();
      const r = await stubborn.delay();
      const err = await r.get({ timeout: 20_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ state: 'FAILURE', excType: 'WorkerLostError' });
      expect(times.get(r.id)).toHaveLength(LIMIT);
      expect(await takeDeadLetters(app, queue, 1)).toHaveLength(1);
      expect(worker.counters.snapshot()).toMatchObject({ redelivered: LIMIT - 1, delivery_limit: 1 });
      await worker.stop();
    });

    it('writes escaped, rate-limited log lines: 300 messages with a forged task name give a few safe lines', async () => {
      const lines: string[] = [];
      const logger = { debug() {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
      const { app, queue } = setup(new FlakyBackend(() => false), logger);
      await app.topology.ensureTaskQueue(queue);
      const worker = app.worker();
      await worker.start();
      const forged = 'evil\n[2026-01-01T00:00:00.000Z] INFO all good\x1b[2J\u2028';
      for (let i = 0; i < 300; i++) {
        await app.broker.publish({ exchange: '', routingKey: queue }, {
          body: Buffer.from('[[], {}, null]'),
          properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: { lang: 'py', task: forged, id: `forged-${i}` }, deliveryMode: 2 },
        });
      }
      await until(() => worker.counters.get('dead_lettered') === 300, 30_000);
      await worker.stop(); // flushes the "N more lines left out" note
      const about = lines.filter((l) => l.includes('evil'));
      expect(about.length).toBeGreaterThan(0);
      expect(about.length).toBeLessThanOrEqual(10);
      // eslint-disable-next-line no-control-regex
      for (const l of lines) expect(l).not.toMatch(/[\n\r\x1b\u2028]/);
      expect(about[0]).toContain('evil\\x0a[2026-01-01T00:00:00.000Z] INFO all good\\x1b[2J\\u2028');
      expect(lines.some((l) => /\d+ more "dead-lettered" log lines left out/.test(l))).toBe(true);
      await takeDeadLetters(app, queue, 300);
    });
  });
}
