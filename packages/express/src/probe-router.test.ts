import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { eventually, useFixtures } from '../test/support.js';
import { createProbeRouter } from './probe-router.js';

const fixture = useFixtures();

describe('createProbeRouter', () => {
  it('serves /healthz and /metrics without the admin auth, next to a router that demands it', async () => {
    const f = await fixture({ router: { auth: () => false } });
    const probe = createProbeRouter({ app: f.app, worker: f.worker, monitor: f.router.monitor });
    const server = express();
    server.use('/admin/tasks', f.router);
    server.use('/internal', probe);
    expect((await request(server).get('/admin/tasks/metrics')).status).toBe(401);
    const health = await request(server).get('/internal/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', worker: { hostname: f.worker.hostname, consuming: true } });
    // nothing else is reachable through it
    expect((await request(server).get('/internal/api/tasks')).status).toBe(404);
    expect((await request(server).post('/internal/api/task/async-apply/tasks.add').send({})).status).toBe(404);

    const r = await f.app.sendTask('tasks.add', [1, 2]);
    await r.get({ timeout: 5000 });
    await eventually(() => f.router.monitor.get(r.id)?.state === 'SUCCESS');
    const w = f.worker.hostname;
    // heartbeats (every second here) mark the worker online
    const text = await eventually(async () => {
      const t = (await request(server).get('/internal/metrics')).text;
      return t.includes(`flower_worker_online{worker="${w}"} 1`) ? t : null;
    });
    expect(text).toContain(`flower_events_total{worker="${w}",type="task-succeeded",task="tasks.add"} 1`);
    expect(text).toMatch(new RegExp(`flower_task_runtime_seconds_count\\{worker="${w.replace(/[.@]/g, '\\$&')}",task="tasks.add"\\} 1`));
    expect(text).toContain(`flower_worker_online{worker="${w}"} 1`);
    expect(text).toMatch(/celeriac_event_loop_lag_seconds\{quantile="0.99"\} \d/);
    expect(text).toContain('celeriac_broker_state{state="ready"} 1');
    expect(text).toContain(`celeriac_worker_pool_size{worker="${w}"} 4`);
    expect(text).toContain(`celeriac_worker_pool_busy{worker="${w}"} 0`);
    expect(text).toContain(`celeriac_worker_pool_info{worker="${w}",implementation="async"} 1`);
    expect(text).toContain(`celeriac_worker_pool_children_total{worker="${w}",event="started"} 1`);
    await probe.close();
  });

  it('reports dead-letter depth for the known queues', async () => {
    const f = await fixture();
    const probe = createProbeRouter({ app: f.app, monitor: f.router.monitor });
    // a message the worker cannot run goes to celery.dlq
    await f.app.broker.publish({ exchange: '', routingKey: f.queue }, { body: Buffer.from('not json'), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 'tasks.add', id: 'bad-1' } } });
    await eventually(async () => (await f.app.broker.inspectQueue(`${f.queue}.dlq`))?.messageCount === 1);
    const text = (await request(express().use(probe)).get('/metrics')).text;
    expect(text).toContain(`celeriac_dead_letter_messages{queue="${f.queue}"} 1`);
    await probe.close();
  });
});
