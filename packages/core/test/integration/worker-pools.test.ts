/**
 * Tasks run in -P threads and -P processes on the real RabbitMQ, with results in Redis: what
 * crosses to a child and back (bigints, Python exception types, retry, updateState, replace,
 * currentTask), a result that cannot leave the child (FAILURE EncodeError), and where the task
 * ran (another thread or process than the worker's); crash isolation (process.exit, a throw from
 * a timer, an unhandled rejection, SIGKILL) beside 40 short tasks; a hard time limit and revoke
 * --terminate that stop a busy loop; a bounded requeue with rejectOnWorkerLost; recycling after
 * N tasks and over a memory line; growing and shrinking the pool.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/index.js';
import { REDIS_URL, until } from '../helpers/env.js';
import { reasonOf, takeDeadLetters } from '../helpers/dead-letters.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
import { POOL_TASKS } from '../helpers/pool.js';
// @ts-expect-error a plain ES module fixture, without types
import { defineTasks } from '../fixtures/pool/pool-tasks.mjs';


for (const pool of ['threads', 'processes'] as const) {
  describe(`-P ${pool}`, () => {
    let t: TestApp;
    let worker: Worker | null = null;
    afterEach(async () => {
      await worker?.stop();
      worker = null;
      await t?.cleanup();
    });

    async function start(options: Parameters<TestApp['app']['worker']>[0] = {}): Promise<TestApp> {
      t = rabbitApp({ prefix: `pool_${pool}`, backend: REDIS_URL });
      (defineTasks as (app: unknown) => void)(t.app);
      worker = t.app.worker({ pool, tasksModule: POOL_TASKS, concurrency: 2, ...options });
      await worker.start();
      return t;
    }

    it('runs tasks in its children: values, errors, retry, updateState, replace, currentTask', async () => {
      const { app } = await start();
      const where = await (await app.sendTask('pool.whoami')).get({ timeout: 10_000 }) as { pid: number; thread: number };
      if (pool === 'processes') expect(where.pid).not.toBe(process.pid);
      else expect([where.pid, where.thread === threadId]).toEqual([process.pid, false]);
      expect(worker!.pool.stats()).toMatchObject({ implementation: pool, size: 2 });
      expect(worker!.pool.stats().processes).toHaveLength(2);

      expect(await (await app.sendTask('pool.add', [2, 3])).get({ timeout: 10_000 })).toBe(5);
      // past 2^53: a bigint crosses to the child and back
      expect(await (await app.sendTask('pool.double', [2n ** 70n])).get({ timeout: 10_000 })).toBe(2n ** 71n);
      const fail = await (await app.sendTask('pool.fail')).get({ timeout: 10_000 }).catch((e: unknown) => e);
      expect(fail).toMatchObject({ state: 'FAILURE', excType: 'ValueError', excModule: 'builtins', excArgs: ['bad value', 42] });
      expect(await (await app.sendTask('pool.retry')).get({ timeout: 10_000 })).toBe('retried 1');
      const progress = await app.sendTask('pool.progress');
      expect(await progress.get({ timeout: 10_000 })).toBe(progress.id);
      expect(await (await app.sendTask('pool.replace', [20, 22])).get({ timeout: 10_000 })).toBe(42);
      const bad = await (await app.sendTask('pool.unencodable')).get({ timeout: 10_000 }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ state: 'FAILURE', excType: 'EncodeError', excModule: 'kombu.exceptions' });
      // and the pool still works
      expect(await (await app.sendTask('pool.add', [1, 1])).get({ timeout: 10_000 })).toBe(2);
    }, 60_000);

    it('a task that kills its child ends FAILURE; 40 short tasks beside it succeed and the worker lives', async () => {
      const { app } = await start({ concurrency: 3 });
      const crashes = [
        { name: 'pool.exit', args: [3], expect: { excType: 'WorkerLostError', excModule: 'billiard.exceptions' } },
        { name: 'pool.timer_throw', args: [], expect: { excType: 'TypeError', excArgs: ['thrown from a timer'] } },
        // a RangeError is stored as Python's ValueError, as in every pool
        { name: 'pool.unhandled', args: [], expect: { excType: 'ValueError', excArgs: ['nobody awaits this'] } },
        ...(pool === 'processes' ? [{ name: 'pool.kill', args: [], expect: { excType: 'WorkerLostError' } }] : []),
      ];
      const sent = await Promise.all(crashes.map((c) => app.sendTask(c.name, c.args)));
      const short = await Promise.all(Array.from({ length: 40 }, (_, i) => app.sendTask('pool.add', [i, 1])));
      for (const [i, r] of sent.entries()) {
        const err = await r.get({ timeout: 20_000 }).catch((e: unknown) => e);
        expect(err).toMatchObject({ state: 'FAILURE', ...crashes[i]!.expect });
      }
      expect(await Promise.all(short.map((r) => r.get({ timeout: 20_000 })))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(worker!.state).toBe('running');
      expect(worker!.counters.get('worker_lost')).toBe(pool === 'processes' ? 2 : 1);
      // the dead children were replaced
      await until(() => worker!.pool.stats().processes.length === 3, 10_000);
      expect(worker!.pool.stats().started).toBeGreaterThanOrEqual(3 + crashes.length);
    }, 90_000);

    it('a hard time limit of 3 s stops an 8 s busy loop (FAILURE TimeLimitExceeded), and revoke --terminate stops another', async () => {
      const { app } = await start();
      const t0 = Date.now();
      const limited = await app.sendTask('pool.spin', [8000], {}, { timeLimit: 3 });
      const err = await limited.get({ timeout: 20_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ state: 'FAILURE', excType: 'TimeLimitExceeded', excModule: 'billiard.exceptions', excArgs: [3] });
      expect(Date.now() - t0).toBeLessThan(7500);

      const long = await app.sendTask('pool.spin', [60_000]);
      await until(() => worker!.active.has(long.id), 10_000);
      await app.control.revoke(long.id, { terminate: true, signal: 'SIGKILL' });
      const revoked = await long.get({ timeout: 20_000 }).catch((e: unknown) => e);
      expect(revoked).toMatchObject({ state: 'REVOKED', excType: 'TaskRevokedError' });
      // REVOKED is stored when the revoke arrives; the child dies a moment later
      await until(() => worker!.pool.stats().killed === 2 && worker!.active.size === 0, 10_000);
      expect(await (await app.sendTask('pool.add', [4, 4])).get({ timeout: 10_000 })).toBe(8);
    }, 60_000);

    it('rejectOnWorkerLost puts the message back, counted: it runs deliveryLimit times, then FAILURE WorkerLostError and the dead-letter queue', async () => {
      const { app, queue } = await start({ rejectOnWorkerLost: true, deliveryLimit: 3, requeueBaseDelayMs: 50 });
      const file = join(mkdtempSync(join(tmpdir(), 'celeriac-pool-')), 'runs');
      writeFileSync(file, '');
      const r = await app.sendTask('pool.exit_logged', [file, 4]);
      const err = await r.get({ timeout: 30_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ state: 'FAILURE', excType: 'WorkerLostError' });
      expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
      const [dead] = await takeDeadLetters(app, queue, 1);
      expect(reasonOf(dead!)).toMatch(/^delivery limit reached/);
    }, 60_000);

    it('recycles a child after maxTasksPerChild tasks and when its memory is over maxMemoryPerChild', async () => {
      const limitKiB = pool === 'processes' ? 160_000 : 48_000;
      const { app } = await start({ concurrency: 1, maxTasksPerChild: 3 });
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) {
        const w = await (await app.sendTask('pool.whoami')).get({ timeout: 10_000 }) as { pid: number; thread: number };
        ids.push(pool === 'processes' ? w.pid : w.thread);
      }
      // 3, 3, then 1 on a third child
      expect(ids.map((id) => ids.indexOf(id))).toEqual([0, 0, 0, 3, 3, 3, 6]);
      expect(worker!.pool.stats().recycled).toBe(2);
      await worker!.stop();

      worker = t.app.worker({ pool, tasksModule: POOL_TASKS, concurrency: 1, maxMemoryPerChild: limitKiB });
      await worker.start();
      const runs: { chunks: number; kiB: number }[] = [];
      for (let i = 0; i < 8; i++) runs.push(await (await app.sendTask('pool.leak', [16 * 1024])).get({ timeout: 20_000 }) as { chunks: number; kiB: number });
      // after a task that ended over the line the next runs in a fresh child, never before
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.chunks).toBe(runs[i - 1]!.kiB > limitKiB ? 1 : runs[i - 1]!.chunks + 1);
      expect(runs.some((r) => r.kiB > limitKiB)).toBe(true);
      expect(worker.pool.stats().recycled).toBeGreaterThanOrEqual(1);
    }, 90_000);

    it('grows and shrinks (pool_grow / pool_shrink)', async () => {
      const { app } = await start({ concurrency: 2, prefetchMultiplier: 2 });
      const grow = await app.control.broadcast('pool_grow', { n: 2 }, { reply: true, destination: [worker!.hostname] });
      expect(grow).toEqual([{ [worker!.hostname]: { ok: 'pool will grow' } }]);
      await until(() => worker!.pool.stats().processes.length === 4, 10_000);
      expect(worker!.options.prefetch).toBe(8);
      await app.control.broadcast('pool_shrink', { n: 3 }, { reply: true, destination: [worker!.hostname] });
      await until(() => worker!.pool.stats().processes.length === 1, 15_000);
      expect(worker!.options.prefetch).toBe(2);
      expect(await (await app.sendTask('pool.add', [5, 5])).get({ timeout: 10_000 })).toBe(10);
    }, 60_000);
  });
}
