/**
 * The values that used to take a mixed cluster down, against real Python Celery 5.2.6 workers:
 * a group of 300 and a chord of 300 (group_index past 127), time limits of 3600/1800 s, a Node
 * pidbox clock past 40,000 answering `celery inspect` while a Python worker starts with mingle
 * next to it, and a Python header of 2^40 reaching a Node worker. Every Python worker must
 * still be up at the end, with no unrecoverable error in its log.
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chord, group, type CeleriacApp, type Delivery, type Worker } from '../../src/index.js';
import { REDIS_URL, unique, until } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';
import { drive, HARNESS, PYTHON, startPythonWorker, type PythonEnv, type PythonWorker } from '../helpers/python.js';
import { registerProtoTasks } from '../helpers/proto.js';

function celery(env: PythonEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, ['-m', 'celery', '-A', 'celeriac_interop_tasks', ...args], {
      cwd: HARNESS, timeout: 60_000, env: { ...process.env, INTEROP_QUEUE: env.queue, INTEROP_NS: env.ns, INTEROP_BACKEND: env.backend },
    }, (err, stdout, stderr) => resolve({ code: typeof err?.code === 'number' ? err.code : err ? 1 : 0, stdout, stderr }));
  });
}

describe('values past 127, 32767 and 2^32 between Node and Python workers', () => {
  let t: TestApp;
  let app: CeleriacApp;
  let nodeWorker: Worker;
  const pythons: PythonWorker[] = [];
  let env: PythonEnv;
  let proto: { close(): Promise<void> };
  const q = { py: '', node: '', idle: '', mingle: '' };
  const ids: string[] = [];

  beforeAll(async () => {
    const base = unique('wide');
    Object.assign(q, { py: `${base}_py`, node: `${base}_node`, idle: `${base}_idle`, mingle: `${base}_py2` });
    t = rabbitApp({ backend: REDIS_URL, defaultQueue: q.node, controlExchange: base });
    app = t.app;
    env = { queue: q.py, ns: base, backend: REDIS_URL };
    proto = registerProtoTasks(app);
    nodeWorker = app.worker({ queues: [q.node], concurrency: 8, hostname: `${base}_node@${hostname()}` });
    await nodeWorker.start();
    pythons.push(await startPythonWorker(env, `${base}_py`, ['-c', '4']));
  }, 90_000);

  afterAll(async () => {
    for (const py of pythons) await py.stop();
    await nodeWorker?.stop();
    await proto?.close();
    if (ids.length > 0) await drive(env, ['forget', ...ids]).catch(() => undefined);
    await drive(env, ['cleanup', '--queue', q.node, '--queue', q.idle, '--queue', q.mingle]).catch(() => undefined);
    await t?.cleanup();
  }, 60_000);

  const sig = (name: string, queue: string, ...args: unknown[]) => app.signature(name).s(...(args as [])).set({ queue });

  it('a Node group of 300 runs on a Python worker', async () => {
    const g = await app.applyGroup(group(...Array.from({ length: 300 }, (_, i) => sig('proto.add', q.py, i, i))).toDict());
    ids.push(...g.results.map((r) => r.id));
    expect(await g.get({ timeout: 120_000 })).toEqual(Array.from({ length: 300 }, (_, i) => 2 * i));
  }, 150_000);

  it('a Node chord of 300 (group_index up to 299) runs on a Python worker', async () => {
    const result = await chord(Array.from({ length: 300 }, (_, i) => sig('proto.add', q.py, i, i)), sig('proto.tsum', q.py)).applyAsync();
    ids.push(result.id);
    expect(await result.get({ timeout: 120_000 })).toBe(299 * 300);
  }, 150_000);

  it('time limits of 3600/1800 s and wide custom headers reach a Python worker as sent', async () => {
    const r = await app.signature('proto.request_info').applyAsync([], {
      queue: q.py, timeLimit: 3600, softTimeLimit: 1800,
      headers: { x_300: 300, x_neg: -40_000, x_2_40: 2 ** 40, x_neg_2_40: -(2 ** 40), x_2_62: 2n ** 62n, x_flag: true, x_list: [128, 32768, 2 ** 31] },
    });
    ids.push(r.id);
    const info = await r.get({ timeout: 30_000 }) as { timelimit: unknown; custom_headers: Record<string, unknown> };
    expect(info.timelimit).toEqual([3600, 1800]);
    expect(info.custom_headers).toMatchObject({ x_300: 300, x_neg: -40_000, x_2_40: 2 ** 40, x_neg_2_40: -(2 ** 40), x_2_62: 2n ** 62n, x_flag: true, x_list: [128, 32768, 2 ** 31] });
  });

  it('a Python header of 2^40 (py-amqp tag L) reaches a Node worker, and the tasks behind it run', async () => {
    const before = app.broker.stats!();
    const seen = new Map<string, Record<string, unknown>>();
    const onReceived = (req: { id: string; headers: Record<string, unknown> }) => seen.set(req.id, req.headers);
    nodeWorker.events.on('task-received', onReceived);
    const headers = '{"x_2_40": 1099511627776, "x_neg": -1099511627776, "x_min": -9223372036854775808, "x_max": 9223372036854775807}';
    const out = await drive<{ state: string; result: { headers: Record<string, unknown> }; id: string }>(env, ['call', 'proto.request_info', '--queue', q.node, '--headers', headers]);
    ids.push(out.id);
    expect(out.state).toBe('SUCCESS');
    expect(out.result.headers).toMatchObject({ x_2_40: 2 ** 40, x_neg: -(2 ** 40) });
    expect(seen.get(out.id)).toMatchObject({ x_2_40: 2 ** 40, x_neg: -(2 ** 40), x_min: -(2n ** 63n), x_max: 2n ** 63n - 1n });
    const next = await drive<{ state: string; result: number; id: string }>(env, ['call', 'proto.add', '--queue', q.node, '--args', '[20, 22]']);
    ids.push(next.id);
    expect(next.result).toBe(42);
    nodeWorker.events.off('task-received', onReceived);
    const after = app.broker.stats!();
    expect(after.disconnects).toBe(before.disconnects);
    expect(after.undecodableHeaders).toBe(before.undecodableHeaders);
  });

  it('a Node pidbox clock past 40,000 answers celery inspect, and a Python worker starting with mingle syncs with it', async () => {
    const node = nodeWorker.hostname;
    // a peer whose clock is past 40,000 (weeks of uptime) speaks to the worker: Lamport clocks take the max
    const replyKey = unique('reply');
    const replyQueue = unique('reply_q');
    await app.broker.declareExchange({ name: `reply.${env.ns}.pidbox`, type: 'direct', durable: false, autoDelete: false });
    await app.broker.declareQueue({ name: replyQueue, durable: false, autoDelete: true, exclusive: true });
    await app.broker.bindQueue({ queue: replyQueue, exchange: `reply.${env.ns}.pidbox`, routingKey: replyKey });
    const replies: Delivery[] = [];
    const sub = await app.broker.consume([replyQueue], (d) => replies.push(d), { prefetch: 0, noAck: true });
    await app.broker.publish({ exchange: `${env.ns}.pidbox`, routingKey: '' }, {
      body: Buffer.from(JSON.stringify({ method: 'ping', arguments: {}, destination: [node], ticket: 't-45000', reply_to: { exchange: `reply.${env.ns}.pidbox`, routing_key: replyKey } })),
      properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: { clock: 45_000 }, deliveryMode: 1 },
    });
    await until(() => replies.length === 1, 10_000);
    await sub.close();
    expect(replies[0]!.properties.headers).toMatchObject({ ticket: 't-45000' });
    expect(replies[0]!.properties.headers.clock).toBeGreaterThan(45_000);

    const ping = await celery(env, ['inspect', 'ping', '-d', node, '--timeout', '5']);
    expect(ping.stderr + ping.stdout).toContain('pong');
    expect(ping.code).toBe(0);
    const stats = await drive<{ result: Record<string, { pid: number }> | null }>(env, ['inspect', 'stats', '--destination', node, '--timeout', '5']);
    expect(stats.result?.[node]?.pid).toBe(process.pid);

    const revokedId = `${unique('revoked')}-never-sent`;
    nodeWorker.revoke([revokedId]);
    ids.push(revokedId);
    const mingler = await startPythonWorker({ ...env, queue: q.mingle }, `${env.ns}_py2`, [], { mingle: true });
    pythons.push(mingler);
    const synced = await drive<{ result: Record<string, string[]> | null }>(env, ['inspect', 'revoked', '--destination', mingler.node, '--timeout', '5']);
    expect(synced.result?.[mingler.node]).toContain(revokedId); // it read the Node worker's hello reply
  }, 120_000);

  it('stores REVOKED at once when a revoke arrives for a task no worker holds yet (as Celery 5.6.2)', async () => {
    const sent = await drive<{ id: string }>(env, ['send', 'proto.add', '--queue', q.idle, '--args', '[1, 1]']);
    ids.push(sent.id);
    await drive(env, ['revoke', sent.id]);
    const res = await drive<{ state: string; exc_type: string }>(env, ['result', sent.id, '--timeout', '10']);
    expect(res).toMatchObject({ state: 'REVOKED', exc_type: 'TaskRevokedError' });
  });

  it('leaves every Python worker up, with no unrecoverable error in its log', async () => {
    for (const py of pythons) {
      expect(py.alive(), py.node).toBe(true);
      expect(py.log()).not.toMatch(/Unrecoverable error|FrameSyntaxError|UnicodeDecodeError|IndexError/);
      const pong = await drive<{ replies: unknown[] }>(env, ['ping', '--destination', py.node, '--timeout', '3']);
      expect(pong.replies).toEqual([{ [py.node]: { ok: 'pong' } }]);
    }
  });
});
