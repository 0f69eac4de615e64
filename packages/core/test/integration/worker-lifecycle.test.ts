/**
 * The worker's life around its pool, on the real RabbitMQ: a CPU-bound task beside 40 short ones
 * keeps the connection on -P threads (broker heartbeat shortened to 1 s, the task computes for
 * 12 s) while the same work on the async pool loses it; the async pool catches what task code
 * leaves uncaught and reports a blocked loop; autoscale grows and shrinks under load; the
 * shutdown stages (warm, soft, cold) do what the README's table says.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CeleriacApp, Worker } from '../../src/index.js';
import { REDIS_URL, until } from '../helpers/env.js';
import { depth } from '../helpers/dead-letters.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
// @ts-expect-error a plain ES module fixture, without types
import { defineTasks } from '../fixtures/pool/pool-tasks.mjs';
import { POOL_TASKS } from '../helpers/pool.js';

const CPU_MS = Number(process.env.CELERIAC_CPU_TASK_MS ?? 12_000);

describe('worker lifecycle', () => {
  let t: TestApp | null = null;
  let worker: Worker | null = null;
  afterEach(async () => {
    await worker?.stop({ timeout: 1000 });
    worker = null;
    await t?.cleanup();
    t = null;
  });

  function setup(options: Parameters<CeleriacApp['worker']>[0], app: Parameters<typeof rabbitApp>[0] = {}): { app: CeleriacApp; worker: Worker; queue: string; lines: string[] } {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    t = rabbitApp({ prefix: 'life', backend: REDIS_URL, logger: { debug() {}, info: log, warn: log, error: log }, ...app });
    (defineTasks as (a: unknown) => void)(t.app);
    worker = t.app.worker(options);
    return { app: t.app, worker, queue: t.queue, lines };
  }

  /** Sends one CPU task and 40 short ones; counts how many times each started. */
  async function cpuBesideShort(app: CeleriacApp, w: Worker) {
    const starts = new Map<string, number>();
    w.events.on('task-started', (req) => starts.set(req.id, (starts.get(req.id) ?? 0) + 1));
    const cpu = await app.sendTask('pool.spin', [CPU_MS]);
    await until(() => starts.has(cpu.id), 10_000);
    const short = await Promise.all(Array.from({ length: 40 }, (_, i) => app.sendTask('pool.add', [i, i])));
    return { cpu, short, starts };
  }

  it(`-P threads: a ${CPU_MS / 1000} s CPU task beside 40 short ones, broker heartbeat 1 s: each runs once, the connection stays`, async () => {
    const { app, worker: w } = setup({ pool: 'threads', tasksModule: POOL_TASKS, concurrency: 2 }, { amqp: { heartbeat: 1 } });
    await w.start();
    const { cpu, short, starts } = await cpuBesideShort(app, w);
    // the short ones finish while the CPU task still computes
    expect(await Promise.all(short.map((r) => r.get({ timeout: 10_000 })))).toEqual(Array.from({ length: 40 }, (_, i) => 2 * i));
    expect(w.active.has(cpu.id)).toBe(true);
    expect(await cpu.get({ timeout: CPU_MS + 20_000 })).toBe(CPU_MS);
    expect([...starts.values()].every((n) => n === 1)).toBe(true);
    expect(starts.size).toBe(41);
    expect(app.broker.stats!().disconnects).toBe(0);
    expect(w.eventLoopLag().longestBlockMs).toBeLessThan(1000);
  }, CPU_MS + 60_000);

  it('(control) the same CPU task on the async pool blocks the loop: reported with its name, and RabbitMQ drops the connection', async () => {
    const { app, worker: w, lines } = setup({ concurrency: 2 }, { amqp: { heartbeat: 1 } });
    await w.start();
    const cpu = await app.sendTask('pool.spin', [6000]);
    await until(() => lines.some((l) => l.includes('event loop blocked')), 30_000, 100);
    expect(lines.find((l) => l.includes('event loop blocked'))).toMatch(new RegExp(`blocked for [5-9]\\.\\d s while running pool\\.spin\\[${cpu.id}\\]`));
    await until(() => app.broker.stats!().disconnects > 0, 30_000, 100);
    expect(w.liveness().eventLoop.longestBlockMs).toBeGreaterThanOrEqual(5000);
    await w.stop({ timeout: 100 });
    await app.broker.purgeQueue(t!.queue);
  }, 60_000);

  it('async pool: a throw from a timer and an unhandled rejection fail their task; the worker lives', async () => {
    const { app, worker: w } = setup({ concurrency: 4 });
    await w.start();
    const timer = await (await app.sendTask('pool.timer_throw')).get({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(timer).toMatchObject({ state: 'FAILURE', excType: 'TypeError', excArgs: ['thrown from a timer'] });
    const unhandled = await (await app.sendTask('pool.unhandled')).get({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(unhandled).toMatchObject({ state: 'FAILURE', excType: 'ValueError', excArgs: ['nobody awaits this'] });
    expect(await (await app.sendTask('pool.add', [1, 2])).get({ timeout: 10_000 })).toBe(3);
    expect(w.state).toBe('running');
  }, 30_000);

  it('--autoscale 4,1: grows to 4 processes under load, back to 1 when idle', async () => {
    process.env.AUTOSCALE_KEEPALIVE = '1';
    try {
      const { app, worker: w } = setup({ pool: 'processes', tasksModule: POOL_TASKS, autoscale: [4, 1], prefetchMultiplier: 2 });
      await w.start();
      expect(w.pool.stats().processes).toHaveLength(1);
      expect(w.options.prefetch).toBe(8);
      const sizes: number[] = [];
      const sampler = setInterval(() => sizes.push(w.pool.stats().processes.length), 100);
      const results = await Promise.all(Array.from({ length: 16 }, () => app.sendTask('pool.sleep', [700])));
      await Promise.all(results.map((r) => r.get({ timeout: 30_000 })));
      await until(() => w.pool.stats().processes.length === 1, 20_000, 100);
      clearInterval(sampler);
      expect(Math.max(...sizes)).toBe(4);
      const reply = await app.control.broadcast('autoscale', { max: 6, min: 2 }, { destination: [w.hostname] });
      expect(reply).toEqual([{ [w.hostname]: { ok: 'autoscale now max=6 min=2' } }]);
      await until(() => w.pool.stats().processes.length === 2, 10_000);
      const grow = await app.control.broadcast('pool_grow', { n: 1 }, { destination: [w.hostname] });
      expect(grow).toEqual([{ [w.hostname]: { error: 'pool_grow is not supported with autoscale. Adjust autoscale range instead.' } }]);
    } finally {
      delete process.env.AUTOSCALE_KEEPALIVE;
    }
  }, 60_000);

  describe('shutdown stages', () => {
    it('warm: the running task finishes and is acked; what did not start goes back', async () => {
      const { app, worker: w, queue } = setup({ pool: 'processes', tasksModule: POOL_TASKS, concurrency: 1 });
      await w.start();
      const running = await app.sendTask('pool.sleep', [1500]);
      await until(() => w.active.has(running.id), 10_000);
      await app.sendTask('pool.add', [1, 1]);
      await until(() => w.reserved.length === 1, 10_000);
      await w.shutdown('warm');
      expect(await running.get({ timeout: 5000 })).toBe(1500);
      expect(await depth(app, queue)).toBe(1);
      await app.broker.purgeQueue(queue);
    }, 30_000);

    it('cold: the running task is stopped (its process killed) and its message goes back to the queue', async () => {
      const { app, worker: w, queue } = setup({ pool: 'processes', tasksModule: POOL_TASKS, concurrency: 1 });
      await w.start();
      const running = await app.sendTask('pool.spin', [30_000]);
      await until(() => w.active.has(running.id), 10_000);
      const t0 = Date.now();
      await w.shutdown('cold');
      expect(Date.now() - t0).toBeLessThan(5000);
      await until(async () => (await depth(app, queue)) === 1, 10_000);
      expect((await app.backend.get(running.id))?.status ?? 'PENDING').toBe('PENDING');
      await app.broker.purgeQueue(queue);
    }, 30_000);

    it('soft: softShutdownTimeout lets a short task finish; a longer one is stopped at the deadline and goes back', async () => {
      const { app, worker: w, queue, lines } = setup({ pool: 'threads', tasksModule: POOL_TASKS, concurrency: 2, softShutdownTimeout: 2 });
      await w.start();
      const short = await app.sendTask('pool.sleep', [800]);
      const long = await app.sendTask('pool.spin', [30_000]);
      await until(() => w.active.size === 2, 10_000);
      const t0 = Date.now();
      const stopping = w.shutdown('warm');
      // a cold request during the warm stage goes through the soft stage first
      setTimeout(() => void w.shutdown('cold'), 100);
      await stopping;
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(1900);
      expect(took).toBeLessThan(6000);
      expect(lines.some((l) => l.includes('Initiating Soft Shutdown, terminating in 2 seconds'))).toBe(true);
      expect(await short.get({ timeout: 5000 })).toBe(800);
      await until(async () => (await depth(app, queue)) === 1, 10_000);
      expect((await app.backend.get(long.id))?.status ?? 'PENDING').toBe('PENDING');
      await app.broker.purgeQueue(queue);
    }, 30_000);
  });
});
