import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { eventually, useFixtures } from '../test/support.js';

const fixture = useFixtures();

describe('GET /api/tasks', () => {
  it("returns Flower's dict of tasks, most recent first, with filters", async () => {
    const f = await fixture();
    const ids: string[] = [];
    for (const [name, args] of [['tasks.add', [1, 2]], ['tasks.fail', ['x']], ['tasks.add', [3, 4]]] as const) {
      const res = await request(f.server).post(`/admin/tasks/api/task/async-apply/${name}`).send({ args });
      ids.push(res.body['task-id']);
    }
    await eventually(() => ids.every((id) => ['SUCCESS', 'FAILURE'].includes(f.router.monitor.get(id)?.state ?? '')));
    const all = await request(f.server).get('/admin/tasks/api/tasks');
    expect(all.status).toBe(200);
    expect(Object.keys(all.body).sort()).toEqual([...ids].sort());
    expect(all.body[ids[0]!]).toMatchObject({ uuid: ids[0], name: 'tasks.add', state: 'SUCCESS' });
    const failed = await request(f.server).get('/admin/tasks/api/tasks?state=FAILURE');
    expect(Object.keys(failed.body)).toEqual([ids[1]]);
    const byName = await request(f.server).get('/admin/tasks/api/tasks?taskname=tasks.add&limit=1');
    expect(Object.keys(byName.body)).toHaveLength(1);
    expect((await request(f.server).get('/admin/tasks/api/tasks?limit=5000')).status).toBe(400);
    expect((await request(f.server).get('/admin/tasks/api/tasks?state=a&state=b')).status).toBe(400);
  });
});

describe('workers and queues', () => {
  it('GET /api/workers answers with each worker\'s inspect replies, and ?status=true with its heartbeat status', async () => {
    const f = await fixture({ router: { inspectTimeout: 300 } });
    const res = await request(f.server).get('/admin/tasks/api/workers');
    expect(res.status).toBe(200);
    const w = res.body[f.worker.hostname];
    expect(w.registered).toEqual(expect.arrayContaining(['tasks.add', 'tasks.fail']));
    expect(w.stats.pool['max-concurrency']).toBe(4);
    expect(w.active_queues.map((q: { name: string }) => q.name)).toEqual(['celery']);
    expect(w).toHaveProperty('active');
    expect(w).toHaveProperty('reserved');
    await eventually(() => f.router.monitor.workersOnline() > 0);
    const status = await request(f.server).get('/admin/tasks/api/workers?status=true');
    expect(status.body).toEqual({ [f.worker.hostname]: true });
    const one = await request(f.server).get(`/admin/tasks/api/workers?workername=${encodeURIComponent(f.worker.hostname)}`);
    expect(Object.keys(one.body)).toEqual([f.worker.hostname]);
    expect((await request(f.server).get('/admin/tasks/api/workers?workername=%3Cx%3E')).status).toBe(400);
  });

  it('GET /api/monitor lists workers seen through events', async () => {
    const f = await fixture();
    const res = await eventually(async () => {
      const r = await request(f.server).get('/admin/tasks/api/monitor');
      return r.body.workers.length > 0 ? r : null;
    });
    expect(res.body).toMatchObject({ tasks_tracked: 0, max_tasks: 10000, read_only: false });
    expect(res.body.workers[0]).toMatchObject({ hostname: f.worker.hostname, online: true, sw_ident: 'celeriac' });
  });

  it("GET /api/queues/length gives Flower's active_queues with message counts", async () => {
    const f = await fixture({ startWorker: false, router: { queues: ['celery', 'never_declared'] } });
    for (let i = 0; i < 3; i++) await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [i, i] });
    const res = await request(f.server).get('/admin/tasks/api/queues/length');
    expect(res.body).toEqual({
      active_queues: [
        { name: 'celery', messages: 3, consumers: 0 },
        { name: 'never_declared', messages: null, consumers: null },
      ],
    });
  });
});

describe('GET /healthz', () => {
  it('is 200 while the broker is connected and the worker consumes, 503 with reasons otherwise', async () => {
    const f = await fixture();
    const ok = await request(f.server).get('/admin/tasks/healthz');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      status: 'ok',
      broker: { kind: 'memory', state: 'ready', connected: true },
      worker: { hostname: f.worker.hostname, state: 'running', consuming: true, queues: ['celery'], active: 0 },
      reasons: [],
    });
    await f.worker.stop();
    const stopped = await request(f.server).get('/admin/tasks/healthz');
    expect(stopped.status).toBe(503);
    expect(stopped.body.status).toBe('unavailable');
    expect(stopped.body.reasons).toEqual(['worker is stopped']);
    await f.app.broker.close();
    const down = await request(f.server).get('/admin/tasks/healthz');
    expect(down.body.reasons).toContain('broker is not connected (state closed)');
  });

  it('reports only the broker when the router has no worker', async () => {
    const f = await fixture({ startWorker: false, router: { worker: undefined } });
    const res = await request(f.server).get('/admin/tasks/healthz');
    expect(res.status).toBe(200);
    expect(res.body.worker).toBeNull();
  });
});

describe('GET /metrics', () => {
  it('exposes task counters, the runtime histogram, queue depth and workers online in Prometheus text format', async () => {
    const f = await fixture();
    const ok = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [1, 2] });
    const bad = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.fail').send({ args: ['x'] });
    await eventually(() => f.router.monitor.get(ok.body['task-id'])?.state === 'SUCCESS' && f.router.monitor.get(bad.body['task-id'])?.state === 'FAILURE');
    await eventually(() => f.router.monitor.workersOnline() === 1);
    const res = await request(f.server).get('/admin/tasks/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.text;
    expect(text).toContain('celeriac_tasks_total{state="PENDING",task="tasks.add"} 1');
    expect(text).toContain('celeriac_tasks_total{state="SUCCESS",task="tasks.add"} 1');
    expect(text).toContain('celeriac_tasks_total{state="FAILURE",task="tasks.fail"} 1');
    expect(text).toMatch(/celeriac_task_runtime_seconds_count\{task="tasks.add",state="SUCCESS"\} 1/);
    expect(text).toMatch(/celeriac_task_runtime_seconds_bucket\{task="tasks.add",state="SUCCESS",le="\+Inf"\} 1/);
    expect(text).toContain('celeriac_queue_messages{queue="celery"} 0');
    expect(text).toContain('celeriac_workers_online 1');
    expect(text).toContain('celeriac_broker_connected 1');
  });
});

describe('GET / (dashboard)', () => {
  it('serves a self-contained page with a strict CSP and the mount path as config', async () => {
    const f = await fixture({ startWorker: false });
    const res = await request(f.server).get('/admin/tasks/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = res.headers['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(res.text).toContain('{"base":"/admin/tasks","readOnly":false,"queues":["celery"]}');
    expect(res.text).not.toMatch(/<(script|link)[^>]+(src|href)="(https?:)?\/\//); // nothing from elsewhere
    const again = await request(f.server).get('/admin/tasks');
    expect(again.status).toBe(200);
    expect(again.headers['content-security-policy']).not.toBe(csp); // a fresh nonce per response
  });

  it('can be turned off', async () => {
    const f = await fixture({ startWorker: false, router: { dashboard: false } });
    expect((await request(f.server).get('/admin/tasks/')).status).toBe(404);
  });
});

describe('listedWorkers', () => {
  it('lists online workers first and drops offline ones after the TTL, with their Flower series', async () => {
    const { listedWorkers } = await import('./monitoring-routes.js');
    const { TaskMonitor } = await import('./task-monitor.js');
    const { createApp } = await import('@celeriac/core');
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const monitor = new TaskMonitor({ app });
    const now = Date.now();
    for (const host of ['b@h', 'a@h', 'gone@h']) monitor.handle({ type: 'worker-heartbeat', hostname: host, timestamp: now / 1000, freq: 2, active: 0 });
    monitor.handle({ type: 'worker-offline', hostname: 'a@h', timestamp: now / 1000 });
    const later = now + 5_000;
    expect(listedWorkers({ monitor, offlineWorkerTtl: 600 }, later).map((w) => [w.hostname, w.online])).toEqual([['a@h', false], ['b@h', false], ['gone@h', false]]);
    monitor.handle({ type: 'worker-heartbeat', hostname: 'b@h', timestamp: later / 1000, freq: 2, active: 1 });
    const listed = listedWorkers({ monitor, offlineWorkerTtl: 600 }, Date.now());
    expect(listed[0]).toMatchObject({ hostname: 'b@h', online: true });
    // ten minutes on, the ones that stayed silent are aged out and lose their series
    const muchLater = Date.now() + 601_000;
    expect(listedWorkers({ monitor, offlineWorkerTtl: 600 }, muchLater).map((w) => w.hostname)).toEqual([]);
    expect([...monitor.metrics.flower.workers()]).toEqual([]);
    await app.close();
  });
});
