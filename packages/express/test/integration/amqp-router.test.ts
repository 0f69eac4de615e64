/**
 * The router against the real RabbitMQ with the redis result backend: Flower's send → 202 →
 * result flow, health from the AMQP connection, queue depth in /metrics, and inspect over
 * the worker's pidbox. Unique queue and exchange names; everything declared is deleted.
 */
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createTaskRouter } from '../../src/create-task-router.js';
import { REDIS_URL, eventually, startAmqpFixture, uniqueName, type AmqpFixture } from '../support.js';

const fixtures: AmqpFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.close();
});

describe('task router on RabbitMQ', () => {
  it('sends over HTTP, answers 202, and serves the result from redis', async () => {
    const f = await startAmqpFixture({ backend: REDIS_URL });
    fixtures.push(f);
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [19, 23] });
    expect(res.status).toBe(202);
    const id = res.body['task-id'] as string;
    const result = await eventually(async () => {
      const r = await request(f.server).get(res.headers.location!);
      return r.body.state === 'SUCCESS' ? r.body : null;
    }, 10_000);
    expect(result).toEqual({ 'task-id': id, state: 'SUCCESS', result: 42 });
    await eventually(() => f.router.monitor.get(id)?.state === 'SUCCESS', 10_000);
    const info = await request(f.server).get(`/admin/tasks/api/task/info/${id}`);
    expect(info.body).toMatchObject({ uuid: id, name: 'tasks.add', state: 'SUCCESS', result: '42', worker: f.worker.hostname, backend: { status: 'SUCCESS', result: 42 } });
  });

  it('reports AMQP liveness in /healthz, queue depth in /metrics and workers from inspect', async () => {
    const parked = uniqueName('celeriac_express_test_parked');
    const f = await startAmqpFixture({ backend: REDIS_URL, extraQueues: [parked], router: { sendQueues: [parked] } });
    fixtures.push(f);
    const health = await request(f.server).get('/admin/tasks/healthz');
    expect(health.status).toBe(200);
    expect(health.body.broker).toMatchObject({ kind: 'amqp', state: 'ready', connected: true, buffered: 0 });
    expect(health.body.broker.consumers).toBeGreaterThan(0);
    expect(health.body.worker).toMatchObject({ state: 'running', consuming: true, queues: [f.names.queue] });

    // two messages on a queue no worker consumes
    for (let i = 0; i < 2; i++) {
      const r = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [i, i], options: { queue: parked } });
      expect(r.status).toBe(202);
    }
    const scoped = express().use('/ops', createTaskRouter({ app: f.app, auth: 'none', queues: [parked, f.names.queue], monitor: f.router.monitor }));
    const metrics = await request(scoped).get('/ops/metrics');
    expect(metrics.text).toContain(`celeriac_queue_messages{queue="${parked}"} 2`);
    expect(metrics.text).toContain(`celeriac_queue_consumers{queue="${f.names.queue}"} 1`);
    expect(metrics.text).toContain('celeriac_broker_connected 1');
    const lengths = await request(scoped).get('/ops/api/queues/length');
    expect(lengths.body.active_queues).toContainEqual({ name: parked, messages: 2, consumers: 0 });

    const workers = await request(f.server).get('/admin/tasks/api/workers');
    expect(workers.body[f.worker.hostname].registered).toContain('tasks.add');
    expect(workers.body[f.worker.hostname].active_queues.map((q: { name: string }) => q.name)).toEqual([f.names.queue]);
  });
});
