/** Worker semantics on the real RabbitMQ, with the rpc and redis result backends. */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteTaskError, ResultTimeoutError, TaskState } from '../../src/index.js';
import { REDIS_URL, unique, until } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

for (const backend of ['rpc://', REDIS_URL]) {
  describe(`worker on RabbitMQ, ${backend.split(':')[0]} backend`, () => {
    let t: TestApp;
    afterEach(async () => t?.cleanup());

    function setup() {
      t = rabbitApp({ backend, prefix: 'worker' });
      const { app } = t;
      const tasks = {
        add: app.task('t.add', (x: number, y: number) => x + y, { params: ['x', 'y'] }),
        fail: app.task('t.fail', (m: string) => {
          throw Object.assign(new Error(m), { excType: 'ValueError' });
        }),
        retry: app.task('t.retry', function (v: string) {
          if (this.retries < 2) this.retry({ countdown: 0.2, exc: new Error('again') });
          return `${v}:${this.retries}`;
        }),
        auto: app.task('t.auto', function () {
          if (this.retries < 2) throw new TypeError('flaky');
          return this.retries;
        }, { autoretryFor: [TypeError], retryBackoff: 0.1, retryBackoffMax: 0.3 }),
        soft: app.task('t.soft', function () {
          return new Promise((_, reject) => this.signal.addEventListener('abort', () => reject(this.signal.reason)));
        }, { softTimeLimit: 0.2 }),
        hard: app.task('t.hard', () => new Promise(() => undefined), { timeLimit: 0.3 }),
        ignored: app.task('t.ignored', () => 'x', { ignoreResult: true }),
        started: app.task('t.started', () => new Promise((r) => setTimeout(() => r('done'), 300)), { trackStarted: true }),
        progress: app.task('t.progress', async function () {
          await this.updateState('PROGRESS', { done: 1, total: 2 });
          await new Promise((r) => setTimeout(r, 200));
          return 'ok';
        }),
      };
      return { app, tasks };
    }

    it('runs tasks, maps kwargs, and surfaces failures as RemoteTaskError', async () => {
      const { app, tasks } = setup();
      const worker = app.worker({ concurrency: 4 });
      await worker.start();
      expect(await (await tasks.add.delay(2, 3)).get({ timeout: 5000 })).toBe(5);
      expect(await (await app.sendTask('t.add', [], { x: 1, y: 2 })).get({ timeout: 5000 })).toBe(3);
      const err = await (await tasks.fail.delay('boom')).get({ timeout: 5000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteTaskError);
      expect(err).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excArgs: ['boom'], state: 'FAILURE' });
      await worker.stop();
    });

    it('honours countdown and expires (expired tasks are REVOKED, not run)', async () => {
      const { app, tasks } = setup();
      const worker = app.worker();
      await worker.start();
      const t0 = Date.now();
      expect(await (await tasks.add.applyAsync([1, 1], { countdown: 0.7 })).get({ timeout: 5000 })).toBe(2);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(650);
      const expired = await tasks.add.applyAsync([1, 1], { countdown: 0.5, expires: 0.2 });
      const err = await expired.get({ timeout: 5000 }).catch((e: unknown) => e);
      // RabbitMQ may drop it by TTL before the worker sees it (then nothing is stored): both are "not run"
      if (err instanceof ResultTimeoutError) expect(await expired.state()).toBe('PENDING');
      else expect(err).toMatchObject({ state: 'REVOKED', excType: 'TaskRevokedError', excArgs: ['expired'] });
      await worker.stop();
    });

    it('retries with retry() and autoretryFor, keeping the task id', async () => {
      const { app, tasks } = setup();
      const worker = app.worker();
      await worker.start();
      const r = await tasks.retry.delay('v');
      const states: string[] = [];
      expect(await r.get({ timeout: 8000, onUpdate: (m) => states.push(m.status) })).toBe('v:2');
      if (backend === 'rpc://') expect(states).toContain('RETRY');
      expect(await (await tasks.auto.delay()).get({ timeout: 8000 })).toBe(2);
      await worker.stop();
    });

    it('aborts on the soft limit and abandons on the hard limit', async () => {
      const { app, tasks } = setup();
      const worker = app.worker();
      await worker.start();
      const soft = await (await tasks.soft.delay()).get({ timeout: 5000 }).catch((e: unknown) => e);
      expect(soft).toMatchObject({ excType: 'SoftTimeLimitExceeded', excModule: 'billiard.exceptions' });
      const hard = await (await tasks.hard.delay()).get({ timeout: 5000 }).catch((e: unknown) => e);
      expect(hard).toMatchObject({ excType: 'TimeLimitExceeded', excArgs: [0.3] });
      await until(() => worker.active.size === 0);
      await worker.stop();
    });

    it('stores STARTED with trackStarted, custom states, and nothing with ignoreResult', async () => {
      const { app, tasks } = setup();
      const worker = app.worker();
      await worker.start();
      const seen: string[] = [];
      expect(await (await tasks.started.delay()).get({ timeout: 5000, onUpdate: (m) => seen.push(m.status) })).toBe('done');
      const progress: unknown[] = [];
      expect(await (await tasks.progress.delay()).get({ timeout: 5000, onUpdate: (m) => progress.push(m.result) })).toBe('ok');
      expect(seen).toContain(TaskState.STARTED);
      expect(progress).toContainEqual({ done: 1, total: 2 });
      const ignored = await tasks.ignored.delay();
      await expect(ignored.get({ timeout: 600 })).rejects.toBeInstanceOf(ResultTimeoutError);
      await worker.stop();
    });
  });
}

describe('routing and priorities on RabbitMQ', () => {
  let t: TestApp;
  afterEach(async () => t?.cleanup());

  it('routes by glob to other queues and consumes several queues', async () => {
    const reports = unique('reports');
    t = rabbitApp({ routes: { 'reports.*': reports }, prefix: 'routes' });
    const { app } = t;
    app.task('reports.daily', function () {
      return this.deliveryInfo.queue;
    });
    app.task('plain', function () {
      return this.deliveryInfo.queue;
    });
    const worker = app.worker({ queues: [t.queue, reports] });
    await worker.start();
    expect(await (await app.sendTask('reports.daily')).get({ timeout: 5000 })).toBe(reports);
    expect(await (await app.sendTask('plain')).get({ timeout: 5000 })).toBe(t.queue);
    await worker.stop();
    await app.broker.deleteQueue(reports);
    await app.broker.deleteExchange(reports);
  });

  it('serves higher priorities first on an x-max-priority queue', async () => {
    t = rabbitApp({ queueMaxPriority: 10, prefix: 'prio' });
    const { app } = t;
    const order: number[] = [];
    const p = app.task('p', (n: number) => {
      order.push(n);
      return n;
    });
    await app.topology.ensureTaskQueue(t.queue);
    const results = [];
    for (const [n, priority] of [[1, 1], [2, 2], [9, 9], [5, 5]] as const) results.push(await p.applyAsync([n], { priority }));
    const worker = app.worker({ concurrency: 1, prefetchMultiplier: 1 });
    await worker.start();
    for (const r of results) await r.get({ timeout: 5000 });
    expect(order).toEqual([9, 5, 2, 1]);
    await worker.stop();
  });
});

describe('long ETAs on RabbitMQ', () => {
  let t: TestApp;
  afterEach(async () => t?.cleanup());

  it('parks an ETA beyond maxHeldEtaSeconds on the celery_delayed_* queues instead of holding it', async () => {
    t = rabbitApp({ prefix: 'eta' });
    const { app } = t;
    const seen: string[] = [];
    app.task('later', function () {
      seen.push(this.deliveryInfo.routingKey);
      return Date.now();
    });
    const worker = app.worker({ maxHeldEtaSeconds: 1 });
    await worker.start();
    const t0 = Date.now();
    const r = await app.sendTask<number>('later', [], {}, { countdown: 3 });
    await until(() => worker.scheduled.size === 0 && worker.active.size === 0 && seen.length === 0, 2000);
    const ranAt = await r.get({ timeout: 15_000 });
    expect(ranAt - t0).toBeGreaterThanOrEqual(2900);
    // it came back through celery_delayed_delivery: 28 binary digits, then the queue name
    expect(seen[0]).toMatch(new RegExp(`^(?:[01]\\.){28}${t.queue}$`));
    await worker.stop();
  });
});

describe('graceful shutdown on RabbitMQ', () => {
  let t: TestApp;
  afterEach(async () => t?.cleanup());

  it('finishes running tasks, puts back the rest, and loses nothing', async () => {
    t = rabbitApp({ prefix: 'shutdown' });
    const { app } = t;
    const done = new Set<number>();
    const slow = app.task('slow', async (n: number) => {
      await new Promise((r) => setTimeout(r, 300));
      done.add(n);
      return n;
    });
    const sent = [];
    for (let i = 0; i < 20; i++) sent.push(await slow.delay(i));
    const w1 = app.worker({ concurrency: 2 });
    await w1.start();
    await until(() => w1.active.size === 2);
    await w1.stop();
    expect(done.size).toBeGreaterThanOrEqual(2);
    expect(w1.active.size).toBe(0);
    const w2 = app.worker({ concurrency: 10 });
    await w2.start();
    for (const r of sent) await r.get({ timeout: 10_000 });
    expect(done.size).toBe(20);
    await w2.stop();
  });
});
