/**
 * Python Celery and Celeriac on one Redis broker (kombu's transport), both ways: Python clients
 * drive a Node worker (results, `celery inspect ping/stats`, events through PUB/SUB both ways), Node
 * drives a Python worker, a chord spans both, and a message a crashed Python worker held
 * unacknowledged is restored by the visibility timeout and run by Node.
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chord, type Delivery, type Worker } from '../../src/index.js';
import { RedisBroker } from '../../src/broker/redis/redis-broker.js';
import { REDIS_URL, until } from '../helpers/env.js';
import { capturePythonEvents, drive, HARNESS, PYTHON, startPythonWorker, type PythonEnv, type PythonWorker } from '../helpers/python.js';
import { registerProtoTasks } from '../helpers/proto.js';
import { redisBrokerApp, type RedisBrokerTestApp } from '../helpers/redis-broker-app.js';

function celery(env: PythonEnv, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, ['-m', 'celery', '-A', 'celeriac_interop_tasks', ...args], {
      cwd: HARNESS, timeout: 60_000,
      env: { ...process.env, INTEROP_QUEUE: env.queue, INTEROP_NS: env.ns, INTEROP_BACKEND: env.backend, ...(env.extra ?? {}) },
    }, (err, stdout) => resolve({ code: typeof err?.code === 'number' ? err.code : err ? 1 : 0, stdout }));
  });
}

describe('Python Celery ⇄ Celeriac on a Redis broker', () => {
  let t: RedisBrokerTestApp;
  let worker: Worker;
  let py: PythonWorker;
  let proto: { close(): Promise<void> };
  let env: PythonEnv;
  let pyQueue: string;
  let shared: string;

  beforeAll(async () => {
    t = redisBrokerApp();
    pyQueue = `${t.queue}_py`;
    shared = `${t.queue}_shared`;
    env = t.python();
    proto = registerProtoTasks(t.app);
    worker = t.app.worker({ queues: [t.queue, shared], concurrency: 4, sendEvents: true, hostname: `${t.queue}_node@${hostname()}` });
    await worker.start();
    py = await startPythonWorker({ ...env, queue: pyQueue }, `${t.queue}_py`, ['-Q', `${pyQueue},${shared}`, '-E']);
  }, 90_000);

  afterAll(async () => {
    await py?.stop();
    await worker?.stop();
    await proto?.close();
    await t?.cleanup();
  }, 30_000);

  it('runs Python clients\' tasks on the Node worker: results, failures, a countdown', async () => {
    expect(await drive(env, ['call', 'proto.add', '--args', '[2, 3]'])).toMatchObject({ state: 'SUCCESS', result: 5 });
    expect(await drive(env, ['call', 'proto.fail', '--args', '["boom"]'])).toMatchObject({ state: 'FAILURE', exc_type: 'ValueError', exc_args: ['boom'] });
    const t0 = Date.now();
    expect(await drive(env, ['call', 'proto.add', '--args', '[1, 1]', '--countdown', '1'])).toMatchObject({ result: 2 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('answers `celery inspect ping` and `stats` (pidbox over PUB/SUB, replies on the reply list)', async () => {
    const node = worker.hostname;
    const ping = await celery(env, ['inspect', 'ping', '-d', node, '-j', '-t', '5']);
    expect(ping.code).toBe(0);
    expect(JSON.parse(ping.stdout)).toEqual({ [node]: { ok: 'pong' } });
    const stats = await celery(env, ['inspect', 'stats', '-d', node, '-j', '-t', '5']);
    expect(stats.code).toBe(0);
    const s = JSON.parse(stats.stdout)[node] as Record<string, unknown>;
    expect(s).toMatchObject({ broker: expect.objectContaining({ transport: 'redis' }) });
    expect(s.total).toBeTypeOf('object');
  });

  it('sends the Node worker\'s events to a Python event receiver', async () => {
    const capture = await capturePythonEvents(env, 4);
    const r = await t.app.sendTask('proto.add', [20, 22]);
    expect(await r.get({ timeout: 20_000 })).toBe(42);
    const events = await capture.events;
    const types = new Set(events.filter((e) => e.uuid === r.id || (Array.isArray(e.uuids) && e.uuids.includes(r.id))).map((e) => e.type));
    expect(types).toContain('task-succeeded');
  });

  it('receives a Python worker\'s events in a Node event receiver (PSUBSCRIBE, task.multi batches)', async () => {
    const receiver = t.app.eventReceiver();
    const got: { type: string; uuid?: unknown; hostname?: unknown }[] = [];
    receiver.on('event', (e) => got.push(e));
    await receiver.start();
    try {
      const r = await t.app.sendTask('proto.add', [1, 41], {}, { queue: pyQueue });
      expect(await r.get({ timeout: 20_000 })).toBe(42);
      await until(() => got.some((e) => e.type === 'task-succeeded' && e.uuid === r.id), 10_000);
      expect(got.find((e) => e.type === 'task-succeeded' && e.uuid === r.id)?.hostname).toBe(py.node);
    } finally {
      await receiver.stop();
    }
  });

  it('runs Node\'s tasks on the Python worker', async () => {
    expect(await (await t.app.sendTask('proto.add', [2, 3], {}, { queue: pyQueue })).get({ timeout: 20_000 })).toBe(5);
    const out = await (await t.app.sendTask('proto.echo', ['ünï', 1.5, null], {}, { queue: pyQueue, priority: 6 })).get({ timeout: 20_000 });
    expect(out).toEqual({ args: ['ünï', 1.5, null], kwargs: {} });
  });

  it('shares one queue with a Python worker: 300 tasks, each run exactly once, some by each', async () => {
    const redis = new Redis(REDIS_URL);
    const key = `${t.prefix}count`;
    try {
      const before = worker.processed;
      const sent = [];
      for (let i = 0; i < 300; i++) sent.push(await t.app.sendTask('proto.count', [`${key}_${i}`], {}, { queue: shared }));
      const results = await Promise.all(sent.map((r) => r.get({ timeout: 60_000 })));
      expect(results.every((n) => n === 1)).toBe(true);
      expect((await redis.mget(...sent.map((_, i) => `${key}_${i}`))).every((v) => v === '1')).toBe(true);
      const byNode = worker.processed - before;
      expect(byNode).toBeGreaterThan(0);
      expect(byNode).toBeLessThan(300);
    } finally {
      redis.disconnect();
    }
  }, 90_000);

  it('completes chords whose members and body run on both sides', async () => {
    const sig = (name: string, queue: string, ...args: unknown[]) => t.app.signature(name).s(...(args as [])).set({ queue });
    const c = await chord([sig('proto.add', pyQueue, 1, 1), sig('proto.add', t.queue, 2, 2), sig('proto.add', pyQueue, 3, 3)], sig('proto.tsum', t.queue)).applyAsync();
    expect(await c.get({ timeout: 30_000 })).toBe(12);
    const fromPython = await drive(env, ['chord',
      '--header', JSON.stringify([{ task: 'proto.add', args: [1, 2], options: { queue: pyQueue } }, { task: 'proto.add', args: [3, 4] }]),
      '--body', JSON.stringify({ task: 'proto.tsum', options: { queue: pyQueue } })]);
    expect(fromPython).toMatchObject({ state: 'SUCCESS', result: 10 });
  });
});

describe('visibility timeout on a Redis broker: Python crashes, Node restores', () => {
  let t: RedisBrokerTestApp;
  let py: PythonWorker | undefined;
  let worker: Worker | undefined;
  let proto: { close(): Promise<void> };
  let redis: Redis;

  beforeAll(async () => {
    t = redisBrokerApp({ visibilityTimeout: 2 });
    proto = registerProtoTasks(t.app);
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await py?.stop();
    await worker?.stop();
    await proto?.close();
    redis?.disconnect();
    await t?.cleanup();
  }, 30_000);

  it('restores a message a SIGKILLed Python worker held for its ETA, and Node runs it once', async () => {
    const env = t.python();
    py = await startPythonWorker(env, `${t.queue}_py`, ['-P', 'solo']);
    const r = await t.app.sendTask('proto.add', [3, 4], {}, { countdown: 4 });
    // the Python worker holds the ETA task unacknowledged (in kombu's unacked hash)
    await until(async () => (await redis.hexists(`${t.prefix}unacked`, (await redis.hkeys(`${t.prefix}unacked`))[0] ?? '')) === 1, 15_000);
    await py.kill();
    expect(await redis.hlen(`${t.prefix}unacked`)).toBe(1);
    const runs: string[] = [];
    worker = t.app.worker({ concurrency: 2, hostname: `${t.queue}_node@${hostname()}` });
    worker.events.on('task-succeeded', (req) => runs.push(req.id));
    await worker.start();
    expect(await r.get({ timeout: 20_000 })).toBe(7);
    await until(() => runs.length === 1);
    expect(runs).toEqual([r.id]);
    await until(async () => (await redis.hlen(`${t.prefix}unacked`)) === 0, 5_000);
  });

  it('a Python worker restores a message a Node consumer left unacked, and runs it', async () => {
    await worker?.stop();
    worker = undefined;
    const queue = `${t.queue}_b`;
    const node = new RedisBroker({ url: REDIS_URL, globalKeyprefix: t.prefix });
    const held: Delivery[] = [];
    await node.consume([queue], (d) => held.push(d), { prefetch: 1 });
    const r = await t.app.sendTask('proto.add', [5, 6], {}, { queue });
    await until(() => held.length === 1);
    expect(await redis.hlen(`${t.prefix}unacked`)).toBe(1);
    // the Node consumer goes silent (as if frozen or cut off), holding the message unacked
    await new Promise((res) => setTimeout(res, 2200));
    await py?.stop();
    py = await startPythonWorker({ ...t.python(), queue }, `${t.queue}_py2`, ['-P', 'solo']);
    expect(await r.get({ timeout: 30_000 })).toBe(11);
    await node.close();
    expect(await redis.hlen(`${t.prefix}unacked`)).toBe(0);
  });
});
