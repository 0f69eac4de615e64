/**
 * Real Python Celery client → Celeriac worker: the Python API (`send_task`, `AsyncResult.get`,
 * canvas, `app.control`) and the `celery inspect` / `celery control` commands work against a
 * Node worker, on both result backends.
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/index.js';
import { REDIS_URL, unique } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
import { drive, HARNESS, PYTHON, type PythonEnv } from '../helpers/python.js';
import { registerProtoTasks } from '../helpers/proto.js';

function celery(env: PythonEnv, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, ['-m', 'celery', '-A', 'celeriac_interop_tasks', ...args], {
      cwd: HARNESS, timeout: 60_000, env: { ...process.env, INTEROP_QUEUE: env.queue, INTEROP_NS: env.ns, INTEROP_BACKEND: env.backend },
    }, (err, stdout) => resolve({ code: typeof err?.code === 'number' ? err.code : err ? 1 : 0, stdout }));
  });
}

for (const backend of ['rpc://', REDIS_URL]) {
  describe(`Python client → Celeriac worker (${backend.split(':')[0]})`, () => {
    let t: TestApp;
    let worker: Worker;
    let env: PythonEnv;
    let proto: { close(): Promise<void> };
    const node = () => worker.hostname;

    beforeAll(async () => {
      const queue = unique('node');
      t = rabbitApp({ backend, defaultQueue: queue, controlExchange: queue });
      env = { queue, ns: queue, backend };
      proto = registerProtoTasks(t.app);
      worker = t.app.worker({ concurrency: 4, hostname: `${queue}_node@${hostname()}` });
      await worker.start();
    }, 30_000);

    afterAll(async () => {
      await worker?.stop();
      await proto?.close();
      await drive(env, ['cleanup']).catch(() => undefined);
      await t?.cleanup();
    }, 30_000);

    it('answers ping', async () => {
      const out = await drive<{ replies: unknown[] }>(env, ['ping', '--destination', node(), '--timeout', '3']);
      expect(out.replies).toEqual([{ [node()]: { ok: 'pong' } }]);
    });

    it('runs tasks for Python callers, with args and kwargs', async () => {
      expect(await drive(env, ['call', 'proto.add', '--args', '[2, 3]'])).toMatchObject({ state: 'SUCCESS', result: 5 });
      expect(await drive(env, ['call', 'proto.add', '--kwargs', '{"x": 1, "y": 2}'])).toMatchObject({ state: 'SUCCESS', result: 3 });
      const payload = { s: 'ünïcødé ✓', n: [1, 2.5, null, true], big: 2 ** 53 - 1, nested: { a: [] } };
      expect(await drive(env, ['call', 'proto.echo', '--args', '["x", 1]', '--kwargs', JSON.stringify({ k: payload })]))
        .toMatchObject({ result: { args: ['x', 1], kwargs: { k: payload } } });
    });

    it('stores a result Node cannot encode as kombu EncodeError, which Python rebuilds (no redelivery loop)', async () => {
      let runs = 0;
      t.app.task('it.unencodable', () => {
        runs++;
        return new Map([[1, 2]]);
      });
      const out = await drive<{ exc_args: unknown[] }>(env, ['call', 'it.unencodable', '--timeout', '20']);
      expect(out).toMatchObject({ state: 'FAILURE', exc_type: 'EncodeError', exc_module: 'kombu.exceptions' });
      expect(String(out.exc_args[0])).toContain('cannot encode a Map');
      expect(runs).toBe(1);
    });

    it('reports a Node failure to Python as builtins.ValueError with its args', async () => {
      const out = await drive(env, ['call', 'proto.fail', '--args', '["boom"]']);
      expect(out).toMatchObject({ state: 'FAILURE', exc_type: 'ValueError', exc_module: 'builtins', exc_args: ['boom'] });
    });

    it('holds a Python countdown until its ETA', async () => {
      const t0 = Date.now();
      expect(await drive(env, ['call', 'proto.add', '--args', '[1, 1]', '--countdown', '1'])).toMatchObject({ result: 2 });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    });

    it('retries the way Python expects', async () => {
      expect(await drive(env, ['call', 'proto.retry_once', '--args', '["v"]'])).toMatchObject({ state: 'SUCCESS', result: { value: 'v', retries: 1 } });
    });

    it('advances Python chains and groups, and chords on redis', async () => {
      const steps = JSON.stringify([{ task: 'proto.add', args: [1, 2] }, { task: 'proto.mul', args: [3] }, { task: 'proto.mul', args: [4] }]);
      expect(await drive(env, ['chain', steps])).toMatchObject({ result: 36 });
      const members = JSON.stringify([0, 1, 2, 3].map((i) => ({ task: 'proto.add', args: [i, i] })));
      const g = await drive<{ results: { result: number }[] }>(env, ['group', members]);
      expect(g.results.map((r) => r.result)).toEqual([0, 2, 4, 6]);
      if (backend !== 'rpc://') {
        const header = JSON.stringify([1, 2, 3].map((i) => ({ task: 'proto.add', args: [i, i] })));
        expect(await drive(env, ['chord', '--header', header, '--body', '{"task": "proto.tsum"}'])).toMatchObject({ result: 12 });
      }
    });

    it('shows custom states (PROGRESS) and STARTED to a Python client', async () => {
      const out = await drive<{ states: string[]; infos: unknown[]; result: string }>(env, ['states', 'proto.progress']);
      expect(out.result).toBe('ok');
      expect(out.states).toContain('PROGRESS');
      expect(out.infos[out.states.indexOf('PROGRESS')]).toEqual({ done: 1, total: 2 });
      expect(out.states[out.states.length - 1]).toBe('SUCCESS');
      const sleepy = await drive<{ states: string[] }>(env, ['states', 'proto.sleep', '--args', '[1]']);
      expect(sleepy.states).toContain('STARTED');
    });

    it('honours revoke sent before delivery', async () => {
      const id = unique('revoked');
      await drive(env, ['revoke', id]);
      await new Promise((r) => setTimeout(r, 300));
      expect(await drive(env, ['call', 'proto.add', '--args', '[1, 1]', '--task-id', id])).toMatchObject({ state: 'REVOKED', exc_type: 'TaskRevokedError' });
    });

    it('lists a running task in inspect active, and celery inspect/control work', async () => {
      const sent = drive(env, ['call', 'proto.sleep', '--args', '[1.5]']);
      await new Promise((r) => setTimeout(r, 500));
      const active = await drive<{ result: Record<string, { name: string }[]> }>(env, ['inspect', 'active', '--destination', node()]);
      expect(active.result[node()]?.map((a) => a.name)).toContain('proto.sleep');
      expect(await sent).toMatchObject({ result: 1.5 });
      const ping = await celery(env, ['inspect', 'ping', '-d', node()]);
      expect(ping.code).toBe(0);
      expect(ping.stdout).toContain('pong');
      const registered = await celery(env, ['inspect', 'registered', '-d', node()]);
      expect(registered.stdout).toContain('proto.add');
      const stats = await celery(env, ['inspect', 'stats', '-d', node(), '--json']);
      expect(stats.code).toBe(0);
      expect(JSON.parse(stats.stdout)[node()]).toMatchObject({ pid: process.pid, prefetch_count: 16 });
      const revoke = await celery(env, ['control', 'revoke', 'some-id', '-d', node()]);
      expect(revoke.code).toBe(0);
      expect(revoke.stdout).toContain('flagged as revoked');
      expect(worker.revoked.has('some-id')).toBe(true);
    });
  });
}
