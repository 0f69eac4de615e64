/**
 * What Flower asks a worker on every worker page: Python's `inspect conf` and `inspect report`
 * sent by real Celery to a Celeriac worker, answered with the worker's settings and secrets
 * censored as Celery censors them (a Python worker of the same app is asked too, to compare).
 */
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/index.js';
import { unique } from '../helpers/env.js';
import { drive, type PythonEnv } from '../helpers/python.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

describe('inspect conf and report from Python', () => {
  let t: TestApp;
  let worker: Worker;
  let env: PythonEnv;
  let node: string;

  beforeAll(async () => {
    const ns = unique('conf');
    t = rabbitApp({ controlExchange: ns, eventExchange: `${ns}_ev`, backend: 'rpc://' });
    env = { queue: t.queue, ns, backend: 'rpc://' };
    node = `${ns}_node@${hostname()}`;
    t.app.task('tasks.noop', () => null);
    worker = t.app.worker({ hostname: node, concurrency: 3 });
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await drive(env, ['cleanup']).catch(() => undefined);
    await t?.cleanup();
  });

  it('answers conf with the real settings and no password', async () => {
    const out = await drive<{ result: Record<string, Record<string, unknown>> | null }>(env, ['inspect', 'conf', '--destination', node, '--timeout', '5']);
    const conf = out.result![node]!;
    expect(JSON.stringify(conf)).not.toContain('guest:guest');
    expect(conf.broker_url).toMatch(/^amqp:\/\/guest:\*{8}@127\.0\.0\.1/);
    expect(conf).toMatchObject({ worker_concurrency: 3, task_acks_late: true, task_default_queue: t.queue, control_exchange: env.ns });
    // settings equal to Celery's defaults are left out unless with_defaults is asked for
    expect(conf).not.toHaveProperty('task_serializer');
    const all = await drive<{ result: Record<string, Record<string, unknown>> }>(env, ['inspect', 'conf', '--destination', node, '--timeout', '5', '--args', '[true]']);
    expect(all.result[node]).toMatchObject({ task_serializer: 'json', accept_content: ['json'], worker_enable_remote_control: true });
  });

  it('answers report with a bug-report text', async () => {
    const out = await drive<{ result: Record<string, { ok: string }> }>(env, ['inspect', 'report', '--destination', node, '--timeout', '5']);
    const text = out.result[node]!.ok;
    expect(text).toMatch(/^software -> celeriac:\S+ node:\S+/);
    expect(text).toContain('settings -> transport:amqp results:rpc://');
    expect(text).not.toContain('guest:guest');
  });
});
