/**
 * Python's own command line drives a Celeriac worker's pool: `celery control pool_grow`,
 * `pool_shrink` and `autoscale`, and `inspect stats` shows the pool as Celery shows its own
 * (implementation, max-concurrency, processes).
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/index.js';
import { unique, until } from '../helpers/env.js';
import { POOL_TASKS } from '../helpers/pool.js';
import { drive, HARNESS, PYTHON, type PythonEnv } from '../helpers/python.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
// @ts-expect-error a plain ES module fixture, without types
import { defineTasks } from '../fixtures/pool/pool-tasks.mjs';

/** `celery -A celeriac_interop_tasks control|inspect ...`, as a user types it; resolves with what it printed. */
function celery(env: PythonEnv, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-m', 'celery', '-A', 'celeriac_interop_tasks', ...args], {
      cwd: HARNESS, timeout: 30_000,
      env: { ...process.env, INTEROP_QUEUE: env.queue, INTEROP_NS: env.ns, INTEROP_BACKEND: env.backend, PYTHONDONTWRITEBYTECODE: '1' },
    }, (err, stdout, stderr) => (err && !stdout ? reject(new Error(`celery ${args.join(' ')}: ${stderr}`)) : resolve(stdout + stderr)));
  });
}

describe('the pool from Python: celery control pool_grow / pool_shrink / autoscale', () => {
  let t: TestApp;
  let worker: Worker;
  let env: PythonEnv;
  let node: string;

  beforeAll(async () => {
    const ns = unique('poolctl');
    t = rabbitApp({ controlExchange: ns, eventExchange: `${ns}_ev`, backend: 'rpc://' });
    env = { queue: t.queue, ns, backend: 'rpc://' };
    node = `${ns}_node@${hostname()}`;
    (defineTasks as (a: unknown) => void)(t.app);
    worker = t.app.worker({ hostname: node, pool: 'processes', tasksModule: POOL_TASKS, concurrency: 2 });
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await drive(env, ['cleanup']).catch(() => undefined);
    await t?.cleanup();
  });

  it('pool_grow and pool_shrink resize the process pool; inspect stats shows it', async () => {
    expect(await celery(env, ['control', 'pool_grow', '2', '-d', node, '--timeout', '5'])).toMatch(new RegExp(`${node}: OK\\s+pool will grow`));
    await until(() => worker.pool.stats().processes.length === 4, 15_000);
    const stats = await drive<{ result: Record<string, { pool: Record<string, unknown>; prefetch_count: number }> }>(env, ['inspect', 'stats', '--destination', node, '--timeout', '5']);
    const pool = stats.result[node]!.pool;
    expect(pool).toMatchObject({ implementation: 'celeriac:processes', 'max-concurrency': 4 });
    expect(pool.processes).toEqual(worker.pool.stats().processes);
    expect(stats.result[node]!.prefetch_count).toBe(16);

    expect(await celery(env, ['control', 'pool_shrink', '3', '-d', node, '--timeout', '5'])).toMatch(new RegExp(`${node}: OK\\s+pool will shrink`));
    await until(() => worker.pool.stats().processes.length === 1, 15_000);
    // without --autoscale, Celery's ValueError
    expect(await celery(env, ['control', 'autoscale', '3', '1', '-d', node, '--timeout', '5'])).toMatch(/Autoscale not enabled/);
  }, 90_000);
});
