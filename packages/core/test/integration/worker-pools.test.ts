/**
 * Tasks run in -P threads and -P processes on the real RabbitMQ, with results in Redis: what
 * crosses to a child and back (bigints, Python exception types, retry, updateState, replace,
 * currentTask), a result that cannot leave the child (FAILURE EncodeError), and where the task
 * ran (another thread or process than the worker's).
 */
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/index.js';
import { REDIS_URL } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
// @ts-expect-error a plain ES module fixture, without types
import { defineTasks } from '../fixtures/pool/pool-tasks.mjs';

export const POOL_TASKS = fileURLToPath(new URL('../fixtures/pool/pool-tasks.mjs', import.meta.url));

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
  });
}
