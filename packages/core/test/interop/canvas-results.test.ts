/**
 * The result API between Node and Python (RabbitMQ + redis backend): result_extended fields
 * and children a Node worker stores, read by a Python client; GroupResult.save()/restore()
 * both ways; forget()/exists(); a refused message's stored FAILURE; Python's
 * `self.replace(group(...))` over Node tasks (celery.accumulate on Node); shadow names in
 * events and inspect; keyword arguments reaching a Python worker from every send path.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, chord, group, type CeleriacApp, type CeleryEvent, type EventReceiver, type Worker } from '../../src/index.js';
import { unique, until } from '../helpers/env.js';
import { drive, type PythonEnv } from '../helpers/python.js';
import { registerProtoTasks } from '../helpers/proto.js';
import { startMixedCluster, type MixedCluster } from '../helpers/mixed-cluster.js';

describe('result API between Node and Python', () => {
  let cluster: MixedCluster;
  let app: CeleriacApp;
  let nodeWorker: Worker;
  let env: PythonEnv;
  let redis: Redis;
  let proto: { close(): Promise<void> };
  let events: EventReceiver;
  const seen: CeleryEvent[] = [];

  beforeAll(async () => {
    cluster = await startMixedCluster('results', {
      app: { resultExtended: true }, nodeQueues: ['def', 'node'], pyQueues: ['py'], node: { concurrency: 8, sendEvents: true },
      async beforeStart(a) {
        proto = registerProtoTasks(a);
        a.task('canvas.parent', async (x: number) => (await a.sendTask('proto.add', [x, 1])).id);
        events = a.eventReceiver('task.#');
        events.on('event', (e) => seen.push(e));
        await events.start();
      },
    });
    ({ app, nodeWorker, env, redis } = cluster);
  }, 90_000);

  afterAll(async () => {
    await events?.stop();
    await proto?.close();
    await cluster?.stop();
  }, 60_000);

  it('stores result_extended fields and children that a Python client reads', async () => {
    const r = await app.sendTask<string>('canvas.parent', [41], {}, { kwargs: {} });
    const childId = await r.get({ timeout: 20_000 });
    const meta = await drive<{ extended: Record<string, unknown>; children_ids: string[]; parent_id?: string }>(env, ['meta', r.id]);
    expect(meta.extended).toEqual({ name: 'canvas.parent', args: [41], kwargs: {}, worker: nodeWorker.hostname, retries: 0, queue: cluster.queues.def });
    expect(meta.children_ids).toEqual([childId]);
    const child = await drive<{ parent_id?: string; extended: { name: string } }>(env, ['meta', childId]);
    expect(child).toMatchObject({ parent_id: r.id, extended: { name: 'proto.add' } });
  });

  it('saves a GroupResult in Node that Python restores, and the reverse', async () => {
    const g = await group(app.signature('proto.add').s(1, 1), app.signature('proto.add').s(2, 2)).applyAsync();
    expect(await g.get({ timeout: 20_000 })).toEqual([2, 4]);
    await g.save();
    const restored = await drive<{ restored: { ids: string[]; values: number[] } }>(env, ['group-restore', g.id]);
    expect(restored.restored).toEqual({ ids: g.results.map((r) => r.id), values: [2, 4] });
    const saved = await drive<{ id: string; ids: string[] }>(env, ['group-save', JSON.stringify([{ task: 'proto.add', args: [3, 3] }, { task: 'proto.add', args: [4, 4] }])]);
    const back = await app.restoreGroup(saved.id);
    expect(back?.results.map((r) => r.id)).toEqual(saved.ids);
    expect(await back?.get({ timeout: 20_000 })).toEqual([6, 8]);
    await back?.delete();
    expect(await drive(env, ['group-restore', saved.id])).toMatchObject({ restored: null });
    await g.delete();
  });

  it('tells stored results from unknown ids, and forget() removes them on both sides', async () => {
    const r = await app.sendTask('proto.add', [1, 2]);
    await r.get({ timeout: 20_000 });
    expect(await r.exists()).toBe(true);
    expect(await app.asyncResult(unique('never')).exists()).toBe(false);
    await r.forget();
    expect(await r.exists()).toBe(false);
    const s = await app.sendTask('proto.add', [2, 2]);
    await s.get({ timeout: 20_000 });
    await drive(env, ['forget', s.id]);
    expect(await s.exists()).toBe(false);
  });

  it('stores a FAILURE a Python client reads when the Node worker refuses a message', async () => {
    const id = unique('refused');
    await app.broker.publish({ exchange: '', routingKey: cluster.queues.def }, {
      body: Buffer.from('[[1, 2], {}]'),
      properties: { contentType: 'application/json', contentEncoding: 'utf-8', correlationId: id, headers: { task: 'proto.add', id } },
    });
    expect(await drive(env, ['result', id, '--timeout', '20'])).toMatchObject({ state: 'FAILURE', exc_type: 'InvalidTaskError', exc_module: 'celery.exceptions' });
  });

  it("runs Python's self.replace(group(...)) over Node tasks: celery.accumulate on Node", async () => {
    const run = unique('acc');
    const spec = { t: 'group', members: [1, 2].map((n) => ({ t: 'task', side: 'node', op: 'add', args: [n, 10], imm: false, tag: `${run}|m${n}` })) };
    const r = await app.signature('gen.py.replace').applyAsync([`${run}|r`], { kwargs: { spec } });
    // Debian's Celery 5.2.6 on Python 3.11 may first store a FAILURE for the replaced task (its
    // Ignore escapes); the replacement's SUCCESS under the same id is what must end up stored
    await until(async () => (await r.info())?.status === 'SUCCESS', 30_000, 100);
    expect((await r.info())?.result).toEqual([11, 12]);
    expect(seen.some((e) => e.type === 'task-succeeded' && e.hostname === nodeWorker.hostname && seen.some((x) => x.type === 'task-received' && x.uuid === e.uuid && x.name === 'celery.accumulate'))).toBe(true);
    expect(await redis.hgetall(`celeriac-gen:${run}`)).toEqual({ [`${run}|r@py`]: '1', [`${run}|m1@node`]: '1', [`${run}|m2@node`]: '1' });
    await redis.del(`celeriac-gen:${run}`);
  });

  it('shows a shadow name in task events and inspect, the real name as type', async () => {
    const r = await app.signature('proto.sleep').applyAsync([1], { shadow: 'nightly-report' });
    await until(() => nodeWorker.active.has(r.id), 10_000);
    const active = await drive<{ result: Record<string, { id: string; name: string; type: string }[]> }>(env, ['inspect', 'active', '--destination', nodeWorker.hostname]);
    expect(active.result[nodeWorker.hostname]?.find((a) => a.id === r.id)).toMatchObject({ name: 'nightly-report', type: 'proto.sleep' });
    await r.get({ timeout: 20_000 });
    await until(() => seen.some((e) => e.type === 'task-received' && e.uuid === r.id), 10_000);
    expect(seen.find((e) => e.type === 'task-received' && e.uuid === r.id)).toMatchObject({ name: 'nightly-report' });
  });

  it('runs errbacks across languages: a Python member fails a chord whose Node errback gets the body id; a chain step fails on Python', async () => {
    const onPy = (name: string, ...args: unknown[]) => app.signature(name).s(...(args as [])).set({ queue: cluster.queues.py });
    const errback = app.signature('proto.errback').s(); // on the default queue: the Node worker
    const c = await chord([app.signature('proto.add').s(1, 1), onPy('proto.fail', 'member down')], app.signature('proto.tsum').s()).linkError(errback).applyAsync();
    await expect(c.get({ timeout: 20_000 })).rejects.toMatchObject({ excType: 'ChordError' });
    await until(async () => (await redis.get(`celeriac-it-errback-${c.id}`)) === c.id, 20_000, 100);
    const failId = unique('failing-step');
    const r = await chain(app.signature('proto.add').s(1, 1), app.signature('proto.fail').si('step down').set({ queue: cluster.queues.py, taskId: failId }), app.signature('proto.add').s(1)).linkError(errback).applyAsync();
    await expect(r.get({ timeout: 20_000 })).rejects.toMatchObject({ excType: 'ValueError' }); // Python marks the step after it failed
    await until(async () => (await redis.get(`celeriac-it-errback-${failId}`)) === failId, 20_000, 100);
    await redis.del(`celeriac-it-errback-${c.id}`, `celeriac-it-errback-${failId}`);
  });

  it('routes map and starmap by the task they run', async () => {
    const run = unique('route');
    // gen.py.* is routed to the Python worker's queue, the default queue is the Node worker's: each item counts where it ran
    const mapped = await app.signature('gen.py.add').map([[1, `${run}|a`], [2, `${run}|b`]]).applyAsync();
    const starmapped = await app.signature('gen.py.mul').starmap([[2, 3, `${run}|c`]]).applyAsync();
    expect([await mapped.get({ timeout: 20_000 }), await starmapped.get({ timeout: 20_000 })]).toEqual([[1, 2], [6]]);
    expect(await redis.hgetall(`celeriac-gen:${run}`)).toEqual({ [`${run}|a@py`]: '1', [`${run}|b@py`]: '1', [`${run}|c@py`]: '1' });
    await redis.del(`celeriac-gen:${run}`);
  });

  it('gets keyword arguments to a Python worker through every send path', async () => {
    const echo = app.signature('proto.echo', { queue: cluster.queues.py, kwargs: { a: 1 } });
    const results = await Promise.all([
      echo.delay(),
      echo.applyAsync([], { kwargs: { b: 2 } }),
      app.signature('proto.echo').s().set({ kwargs: { a: 1 }, queue: cluster.queues.py }).delay(),
      app.sendTask('proto.echo', [], { a: 1 }, { queue: cluster.queues.py }),
    ]);
    const got = await Promise.all(results.map((r) => r.get({ timeout: 20_000 }) as Promise<{ kwargs: unknown }>));
    expect(got.map((g) => g.kwargs)).toEqual([{ a: 1 }, { a: 1, b: 2 }, { a: 1 }, { a: 1 }]);
  });
});
