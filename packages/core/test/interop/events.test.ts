/**
 * Celery events across languages: Python's EventReceiver sees a Celeriac worker's and
 * producer's events with the fields Flower reads; Celeriac's receiver sees a Python worker's
 * (which arrive batched as task.multi).
 */
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import type { CeleryEvent } from '../../src/index.js';
import { unique, until } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
import { capturePythonEvents, drive, startPythonWorker, type PythonEnv } from '../helpers/python.js';
import { registerProtoTasks } from '../helpers/proto.js';

describe('Celery events between Node and Python', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) await t.cleanup();
  });

  it("Python's EventReceiver sees a Celeriac worker's events with the expected fields", async () => {
    const queue = unique('ev_node');
    const t = rabbitApp({ defaultQueue: queue, controlExchange: queue, sendSentEvent: true });
    apps.push(t);
    const env: PythonEnv = { queue, ns: queue, backend: 'rpc://' };
    const proto = registerProtoTasks(t.app);
    const { events } = await capturePythonEvents(env, 6);
    const node = `${queue}@${hostname()}`;
    const worker = t.app.worker({ sendEvents: true, hostname: node, heartbeatInterval: 1 });
    await worker.start();
    const ok = await t.app.sendTask('proto.add', [2, 3]);
    await ok.get({ timeout: 10_000 });
    const bad = await t.app.sendTask('proto.fail', ['boom']);
    await bad.get({ timeout: 10_000 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    await worker.stop();
    await proto.close();
    const got = await events;
    const of = (type: string, uuid?: string) => got.filter((e) => e.type === type && (uuid === undefined || e.uuid === uuid));
    expect(of('worker-online')[0]).toMatchObject({ hostname: node, sw_ident: 'celeriac', freq: 1, pid: process.pid });
    expect(of('worker-heartbeat').length).toBeGreaterThan(0);
    expect(of('worker-heartbeat')[0]).toHaveProperty('loadavg');
    expect(of('worker-offline')).toHaveLength(1);
    expect(of('task-sent', ok.id)[0]).toMatchObject({ name: 'proto.add', args: '[2, 3]', queue, routing_key: queue });
    expect(of('task-received', ok.id)[0]).toMatchObject({ name: 'proto.add', args: '[2, 3]', hostname: node, retries: 0 });
    expect(of('task-started', ok.id)).toHaveLength(1);
    expect(of('task-succeeded', ok.id)[0]).toMatchObject({ result: '5' });
    expect(typeof of('task-succeeded', ok.id)[0]!.runtime).toBe('number');
    expect(of('task-failed', bad.id)[0]!.exception).toContain('boom');
    for (const e of got) {
      expect(typeof e.timestamp).toBe('number');
      expect(typeof e.clock).toBe('number');
      expect(typeof e.utcoffset).toBe('number');
    }
  }, 60_000);

  it("Celeriac's EventReceiver sees a Python worker's events (task.multi batches unpacked)", async () => {
    const queue = unique('ev_py');
    const t = rabbitApp({ defaultQueue: queue, controlExchange: queue });
    apps.push(t);
    const env: PythonEnv = { queue, ns: queue, backend: 'rpc://' };
    const receiver = t.app.eventReceiver();
    const got: CeleryEvent[] = [];
    receiver.on('event', (e) => got.push(e));
    await receiver.start();
    const py = await startPythonWorker(env, `${queue}_py`, ['-E']);
    try {
      const r = await t.app.sendTask('proto.add', [20, 22]);
      expect(await r.get({ timeout: 20_000 })).toBe(42);
      await until(() => got.some((e) => e.type === 'task-succeeded' && e.uuid === r.id), 10_000);
      const types = got.filter((e) => e.uuid === r.id).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['task-received', 'task-started', 'task-succeeded']));
      expect(got.find((e) => e.type === 'task-succeeded' && e.uuid === r.id)).toMatchObject({ result: '42', hostname: py.node });
      expect(got.some((e) => e.type === 'worker-online' || e.type === 'worker-heartbeat')).toBe(true);
    } finally {
      await receiver.stop();
      await py.stop();
      await drive(env, ['cleanup']).catch(() => undefined);
    }
  }, 90_000);
});
