/**
 * Node and Python workers side by side on RabbitMQ (redis result backend):
 * - both consume one queue at once and every task runs exactly once;
 * - canvases cross languages: chains alternating Node and Python steps (both orders), a group
 *   across both, chords with a Python header and a Node body and the reverse, and errbacks
 *   fired by a Node failure and by a Python failure.
 */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, chord, group, RemoteTaskError, type CeleriacApp, type Worker } from '../../src/index.js';
import { REDIS_URL, unique, until } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
import { drive, startPythonWorker, type PythonEnv, type PythonWorker } from '../helpers/python.js';
import { registerProtoTasks } from '../helpers/proto.js';

describe('Python and Node workers together', () => {
  let t: TestApp;
  let app: CeleriacApp;
  let nodeWorker: Worker;
  let py: PythonWorker;
  let env: PythonEnv;
  let proto: { close(): Promise<void> };
  let redis: Redis;
  const q = { shared: '', py: '', node: '' };

  beforeAll(async () => {
    const base = unique('mixed');
    Object.assign(q, { shared: `${base}_shared`, py: `${base}_py`, node: `${base}_node` });
    t = rabbitApp({ backend: REDIS_URL, defaultQueue: q.shared, controlExchange: base });
    app = t.app;
    env = { queue: q.shared, ns: base, backend: REDIS_URL };
    proto = registerProtoTasks(app);
    redis = new Redis(REDIS_URL);
    nodeWorker = app.worker({ queues: [q.shared, q.node], concurrency: 8, hostname: `${base}_node@${hostname()}` });
    await nodeWorker.start();
    py = await startPythonWorker(env, `${base}_py`, ['-Q', `${q.shared},${q.py}`]);
  }, 90_000);

  afterAll(async () => {
    await py?.stop();
    await nodeWorker?.stop();
    await proto?.close();
    await drive(env, ['cleanup', '--queue', q.py, '--queue', q.node]).catch(() => undefined);
    for (const name of [q.py, q.node]) {
      await app.broker.deleteQueue(name).catch(() => undefined);
      await app.broker.deleteExchange(name).catch(() => undefined);
    }
    redis?.disconnect();
    await t?.cleanup();
  }, 30_000);

  const sig = (name: string, queue: string, ...args: unknown[]) => app.signature(name).s(...(args as [])).set({ queue });

  it('shares one queue: 300 tasks, each run exactly once, by both workers', async () => {
    const prefix = unique('count');
    const before = nodeWorker.processed;
    const sent = [];
    for (let i = 0; i < 300; i++) sent.push(await app.sendTask('proto.count', [`${prefix}_${i}`]));
    const results = await Promise.all(sent.map((r) => r.get({ timeout: 60_000 })));
    expect(results.every((n) => n === 1)).toBe(true);
    const values = await redis.mget(...sent.map((_, i) => `${prefix}_${i}`));
    expect(values.every((v) => v === '1')).toBe(true);
    const byNode = nodeWorker.processed - before;
    expect(byNode).toBeGreaterThan(0);
    expect(byNode).toBeLessThan(300); // the Python worker ran the rest
    await redis.del(...sent.map((_, i) => `${prefix}_${i}`));
  }, 90_000);

  it('runs a chain Node → Python → Node and Python → Node → Python', async () => {
    const a = await chain(sig('proto.add', q.node, 1, 2), sig('proto.mul', q.py, 3), sig('proto.mul', q.node, 4)).applyAsync();
    expect(await a.get({ timeout: 30_000 })).toBe(36);
    const b = await chain(sig('proto.add', q.py, 1, 2), sig('proto.mul', q.node, 3), sig('proto.mul', q.py, 4)).applyAsync();
    expect(await b.get({ timeout: 30_000 })).toBe(36);
  });

  it('runs a group across both', async () => {
    const g = await app.applyGroup(group(sig('proto.add', q.py, 1, 1), sig('proto.add', q.node, 2, 2), sig('proto.add', q.py, 3, 3)).toDict());
    expect(await g.get({ timeout: 30_000 })).toEqual([2, 4, 6]);
  });

  it('runs a chord with a Python header and a Node body, and the reverse', async () => {
    const header = (queue: string) => [1, 2, 3].map((i) => sig('proto.add', queue, i, i));
    const c1 = await chord(header(q.py), sig('proto.tsum', q.node)).applyAsync();
    expect(await c1.get({ timeout: 30_000 })).toBe(12);
    const c2 = await chord(header(q.node), sig('proto.tsum', q.py)).applyAsync();
    expect(await c2.get({ timeout: 30_000 })).toBe(12);
  });

  it('fires errbacks across languages: a Node failure calls a Python errback and vice versa', async () => {
    for (const [failOn, errbackOn] of [[q.node, q.py], [q.py, q.node]] as const) {
      const r = await app.signature('proto.fail').applyAsync(['errback test'], { queue: failOn, linkError: sig('proto.errback', errbackOn) });
      await expect(r.get({ timeout: 20_000 })).rejects.toBeInstanceOf(RemoteTaskError);
      await until(async () => (await redis.get(`celeriac-it-errback-${r.id}`)) === r.id, 20_000, 100);
      await redis.del(`celeriac-it-errback-${r.id}`);
    }
  });

  it('fails the chord body when a header member fails (ChordError), on either side', async () => {
    const c = await chord([sig('proto.add', q.py, 1, 1), sig('proto.fail', q.node, 'member down')], sig('proto.tsum', q.py)).applyAsync();
    const err = await c.get({ timeout: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteTaskError);
    expect(err).toMatchObject({ excType: 'ChordError' });
  });
});
