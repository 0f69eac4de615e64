/**
 * Celeriac producer → real Python Celery worker (Debian's celery 5.2.6), on RabbitMQ with the
 * rpc and redis result backends: results, failures, kwargs, ETA, expiry, retries, custom
 * states, unicode and nested data, and the request fields Python parsed from our message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, chord, group, ChordNotSupportedError, RemoteTaskError, type CeleriacApp } from '../../src/index.js';
import { REDIS_URL, unique } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
import { drive, startPythonWorker, type PythonEnv, type PythonWorker } from '../helpers/python.js';

for (const backend of ['rpc://', REDIS_URL]) {
  describe(`Celeriac producer → Python worker (${backend.split(':')[0]})`, () => {
    let t: TestApp;
    let py: PythonWorker;
    let app: CeleriacApp;
    let env: PythonEnv;

    beforeAll(async () => {
      const queue = unique('py');
      t = rabbitApp({ backend, defaultQueue: queue, controlExchange: queue });
      app = t.app;
      env = { queue, ns: queue, backend };
      py = await startPythonWorker(env, `${queue}_w1`);
    }, 90_000);

    afterAll(async () => {
      await py?.stop();
      await drive(env, ['cleanup']).catch(() => undefined);
      await t?.cleanup();
    }, 30_000);

    const add = () => app.signature<[number, number], number>('proto.add');

    it('gets results, with positional and keyword arguments', async () => {
      expect(await (await add().delay(2, 3)).get({ timeout: 20_000 })).toBe(5);
      expect(await (await app.sendTask('proto.add', [], { x: 1, y: 2 })).get({ timeout: 20_000 })).toBe(3);
    });

    it('surfaces a Python exception type and message', async () => {
      const err = await (await app.sendTask('proto.fail', ['kaput'])).get({ timeout: 20_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteTaskError);
      expect(err).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excArgs: ['kaput'], state: 'FAILURE' });
      expect((err as RemoteTaskError).traceback).toContain('ValueError: kaput');
    });

    it('round-trips unicode, floats, null, booleans, big ints and nesting', async () => {
      const payload = { s: 'ünïcødé ✓ 日本', n: [1, 2.5, null, true], big: 2 ** 53 - 1, nested: { a: [], b: { c: [{}] } } };
      const out = await (await app.sendTask('proto.echo', ['x', 1], { k: payload })).get({ timeout: 20_000 });
      expect(out).toEqual({ args: ['x', 1], kwargs: { k: payload } });
    });

    it('honours countdown and eta, and Python parses the headers we sent', async () => {
      const t0 = Date.now();
      const r = await app.sendTask('proto.request_info', [], {}, { countdown: 1, timeLimit: 30, softTimeLimit: 20, headers: { x_trace: 'abc' } });
      const info = await r.get({ timeout: 20_000 }) as Record<string, unknown>;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      expect(info).toMatchObject({ id: r.id, root_id: r.id, parent_id: null, retries: 0, timelimit: [30, 20], correlation_id: r.id, argsrepr: '[]' });
      expect(info.custom_headers).toMatchObject({ x_trace: 'abc' });
      expect(typeof info.eta).toBe('string');
      const eta = new Date(Date.now() + 800);
      expect(await (await add().applyAsync([20, 22], { eta })).get({ timeout: 20_000 })).toBe(42);
    });

    it('does not run an expired task', async () => {
      const r = await app.sendTask('proto.add', [1, 1], {}, { countdown: 2, expires: 1 });
      const err = await r.get({ timeout: 6_000 }).catch((e: unknown) => e);
      // Python marks it REVOKED("expired"); RabbitMQ may also drop it by TTL first (then nothing runs either)
      if (err instanceof RemoteTaskError) expect(err).toMatchObject({ state: 'REVOKED', excType: 'TaskRevokedError' });
      else expect(await r.state()).not.toBe('SUCCESS');
    });

    it('sees Python retries and custom states', async () => {
      const states: string[] = [];
      const out = await (await app.sendTask('proto.retry_once', ['v'])).get({ timeout: 20_000, onUpdate: (m) => states.push(m.status) });
      expect(out).toEqual({ value: 'v', retries: 1 });
      const progress: unknown[] = [];
      expect(await (await app.sendTask('proto.progress')).get({ timeout: 20_000, onUpdate: (m) => progress.push(m.result) })).toBe('ok');
      if (backend === 'rpc://') {
        expect(states).toContain('RETRY');
        expect(progress).toContainEqual({ done: 1, total: 2 });
      }
    });

    it('runs chains and groups on Python workers', async () => {
      const mul = app.signature<[number, number], number>('proto.mul');
      expect(await (await chain(add().s(1, 2), mul.s(3), mul.s(4)).applyAsync()).get({ timeout: 20_000 })).toBe(36);
      const g = await app.applyGroup(group(add().s(1, 1), add().s(2, 2), add().s(3, 3)).toDict());
      expect(await g.get({ timeout: 20_000 })).toEqual([2, 4, 6]);
    });

    it("controls the Python worker: ping, inspect registered/stats/active, revoke", async () => {
      expect(await app.control.ping({ destination: [py.node], timeout: 3000 })).toEqual([{ [py.node]: { ok: 'pong' } }]);
      const registered = await app.control.inspect('registered', {}, { destination: [py.node], timeout: 3000 });
      expect(registered[py.node]).toContain('proto.add');
      const stats = await app.control.inspect('stats', {}, { destination: [py.node], timeout: 3000 }) as Record<string, { pool: unknown }>;
      expect(stats[py.node]?.pool).toBeDefined();
      const running = await app.sendTask('proto.sleep', [3]);
      // poll: on a loaded machine the Python worker may take a while to start the task
      let activeIds: string[] = [];
      for (let i = 0; i < 20 && !activeIds.includes(running.id); i++) {
        await new Promise((r) => setTimeout(r, 250));
        const active = await app.control.inspect('active', {}, { destination: [py.node], timeout: 3000 }) as Record<string, { id: string }[]>;
        activeIds = active[py.node]?.map((a) => a.id) ?? [];
      }
      expect(activeIds).toContain(running.id);
      await running.get({ timeout: 10_000 });
      const id = unique('rev');
      await app.control.revoke(id, { destination: [py.node] });
      await new Promise((r) => setTimeout(r, 300));
      const err = await (await add().applyAsync([1, 1], { taskId: id })).get({ timeout: 10_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ state: 'REVOKED', excType: 'TaskRevokedError' });
      const unknown = await app.control.broadcast('no_such_command', {}, { destination: [py.node], timeout: 3000 });
      expect(unknown[0]?.[py.node]).toEqual({ error: "KeyError('no_such_command')" });
    });

    it(backend === 'rpc://' ? 'refuses a chord at call time on rpc' : 'runs a chord with Celery counter keys', async () => {
      const tsum = app.signature<[number[]], number>('proto.tsum');
      const c = chord([add().s(1, 1), add().s(2, 2), add().s(3, 3)], tsum.s());
      if (backend === 'rpc://') await expect(c.applyAsync()).rejects.toBeInstanceOf(ChordNotSupportedError);
      else expect(await (await c.applyAsync()).get({ timeout: 20_000 })).toBe(12);
    });
  });
}
