import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, MemoryBroker } from '@celeriac/core';
import { createTaskRouter } from './create-task-router.js';
import { eventually, silentLogger, useFixtures, type Fixture } from '../test/support.js';

const fixture = useFixtures();

/** Messages waiting in the fixture's queue (0 when it was never declared). */
async function queued(f: Fixture): Promise<number> {
  return (await f.app.broker.inspectQueue(f.queue))?.messageCount ?? 0;
}

describe('POST /api/task/async-apply/:name', () => {
  it('enqueues, answers 202 with the task id and a Location, and the result can be read there', async () => {
    const f = await fixture();
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [2, 3] });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ 'task-id': expect.any(String), state: 'PENDING' });
    const id = res.body['task-id'] as string;
    expect(res.headers.location).toBe(`/admin/tasks/api/task/result/${id}`);
    const result = await eventually(async () => {
      const r = await request(f.server).get(res.headers.location!);
      return r.body.state === 'SUCCESS' ? r.body : null;
    });
    expect(result).toEqual({ 'task-id': id, state: 'SUCCESS', result: 5 });
  });

  it('passes kwargs and options through', async () => {
    const f = await fixture();
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.echo')
      .send({ args: ['a'], kwargs: { b: [1, { c: null }] }, options: { countdown: 0, priority: 2 } });
    expect(res.status).toBe(202);
    const r = await f.app.asyncResult(res.body['task-id']).get({ timeout: 3000 });
    expect(r).toEqual(['a']); // echo returns positional args; kwargs were delivered as keyword arguments
    const info = await eventually(() => f.router.monitor.get(res.body['task-id'])?.kwargs);
    expect(info).toBe("{'b': [1, {'c': None}]}");
  });

  it('accepts a request without a body (no arguments)', async () => {
    const f = await fixture({ startWorker: false });
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.echo');
    expect(res.status).toBe(202);
    expect(await queued(f)).toBe(1);
  });

  it('refuses task names that are not on the allow-list, and the default list allows nothing', async () => {
    const f = await fixture({ startWorker: false, router: { allow: ['tasks.add'] } });
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.echo').send({});
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'task "tasks.echo" may not be sent over HTTP', code: 'TASK_NOT_ALLOWED' });
    const g = await fixture({ startWorker: false, router: { allow: undefined } });
    const res2 = await request(g.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [1, 2] });
    expect(res2.status).toBe(403);
    expect(await queued(f)).toBe(0);
    expect(await queued(g)).toBe(0);
  });

  it('answers 404 for an allowed name that is neither registered nor listed literally; send-task does not check', async () => {
    const f = await fixture({ startWorker: false, router: { allow: ['tasks.*', 'py.remote_task'] } });
    const unknown = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.nope').send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('UNKNOWN_TASK');
    expect(await queued(f)).toBe(0);
    const literal = await request(f.server).post('/admin/tasks/api/task/async-apply/py.remote_task').send({ args: [1] });
    expect(literal.status).toBe(202);
    const sendTask = await request(f.server).post('/admin/tasks/api/task/send-task/tasks.nope').send({});
    expect(sendTask.status).toBe(202);
    expect(await queued(f)).toBe(2);
  });

  it.each([
    ['invalid JSON', '{"args": [1,', 400, 'INVALID_JSON'],
    ['args not an array', '{"args": {"0": 1}}', 400, 'INVALID_REQUEST'],
    ['kwargs not an object', '{"kwargs": [1]}', 400, 'INVALID_REQUEST'],
    ['a top-level array', '[1, 2]', 400, 'INVALID_REQUEST'],
    ['an unknown option', '{"options": {"exchange": "amq.topic"}}', 400, 'INVALID_REQUEST'],
    ['a queue that may not be chosen', '{"options": {"queue": "other"}}', 403, 'QUEUE_NOT_ALLOWED'],
    ['a JSON string', '"hello"', 400, 'INVALID_JSON'],
  ])('rejects %s with a JSON error and enqueues nothing', async (_label, body, status, code) => {
    const f = await fixture({ startWorker: false });
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.code).toBe(code);
    expect(typeof res.body.error).toBe('string');
    expect(await queued(f)).toBe(0);
  });

  it('rejects an invalid task name with 400', async () => {
    const f = await fixture({ startWorker: false });
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks%20add').send({});
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid task name');
  });

  it('answers 413 for a body over the limit (100 kB by default, configurable)', async () => {
    const f = await fixture({ startWorker: false });
    const big = JSON.stringify({ args: ['x'.repeat(101 * 1024)] });
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.echo').set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'request body is too large', code: 'BODY_TOO_LARGE' });
    const g = await fixture({ startWorker: false, router: { bodyLimit: 64 } });
    const res2 = await request(g.server).post('/admin/tasks/api/task/async-apply/tasks.echo').send({ args: ['x'.repeat(100)] });
    expect(res2.status).toBe(413);
    expect(await queued(f)).toBe(0);
    expect(await queued(g)).toBe(0);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const f = await fixture({ startWorker: false });
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').set('Content-Type', 'text/plain').send('args=1');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').type('form').send({ args: '1' });
    expect(form.status).toBe(415);
    expect(await queued(f)).toBe(0);
  });

  it('lets a client choose only the queues on sendQueues', async () => {
    const f = await fixture({ startWorker: false, router: { sendQueues: ['bulk.*'] } });
    const ok = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [1, 1], options: { queue: 'bulk.low' } });
    expect(ok.status).toBe(202);
    expect((await f.app.broker.inspectQueue('bulk.low'))?.messageCount).toBe(1);
    const no = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [1, 1], options: { queue: 'celery' } });
    expect(no.status).toBe(403);
  });

  it('answers 503 when the broker cannot take the message', async () => {
    const f = await fixture({ startWorker: false });
    await f.app.broker.close();
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').send({ args: [1, 2] });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('BROKER_UNAVAILABLE');
  });
});

describe('auth, read-only mode and cross-site writes', () => {
  const auth = (req: { get(h: string): string | undefined }) => req.get('authorization') === 'Bearer good';

  it.each([
    ['GET', '/admin/tasks/'],
    ['GET', '/admin/tasks/api/tasks'],
    ['GET', '/admin/tasks/api/task/result/abc'],
    ['GET', '/admin/tasks/api/task/info/abc'],
    ['GET', '/admin/tasks/api/workers'],
    ['GET', '/admin/tasks/api/queues/length'],
    ['GET', '/admin/tasks/api/monitor'],
    ['GET', '/admin/tasks/healthz'],
    ['GET', '/admin/tasks/metrics'],
    ['POST', '/admin/tasks/api/task/async-apply/tasks.add'],
    ['POST', '/admin/tasks/api/task/revoke/abc'],
    ['POST', '/admin/tasks/api/task/retry/abc'],
    ['GET', '/admin/tasks/api/no-such-route'],
  ])('guards %s %s: 401 without credentials, 403 with bad ones', async (method, path) => {
    const f = await fixture({ startWorker: false, router: { auth } });
    const call = (m: string) => (m === 'GET' ? request(f.server).get(path) : request(f.server).post(path).send({}));
    const anonymous = await call(method);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: 'authentication required', code: 'UNAUTHORIZED' });
    const wrong = await call(method).set('Authorization', 'Bearer bad');
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('FORBIDDEN');
    expect(await queued(f)).toBe(0);
  });

  it('lets requests through when the hook says true (async hooks too)', async () => {
    const f = await fixture({ startWorker: false, router: { auth: async (req) => auth(req) } });
    const res = await request(f.server).post('/admin/tasks/api/task/async-apply/tasks.add').set('Authorization', 'Bearer good').send({ args: [1, 2] });
    expect(res.status).toBe(202);
  });

  it('answers 500 without details when the hook throws', async () => {
    const f = await fixture({ startWorker: false, router: { auth: () => { throw new Error('db down: secret'); } } });
    const res = await request(f.server).get('/admin/tasks/api/tasks');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'authentication failed', code: 'INTERNAL' });
  });

  it('requires auth to be given explicitly', () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: silentLogger });
    expect(() => createTaskRouter({ app } as never)).toThrow(/options.auth is required/);
  });

  it('refuses every write in read-only mode and still serves reads', async () => {
    const f = await fixture({ startWorker: false, router: { readOnly: true } });
    for (const path of ['/api/task/async-apply/tasks.add', '/api/task/send-task/tasks.add', '/api/task/revoke/abc', '/api/task/retry/abc']) {
      const res = await request(f.server).post(`/admin/tasks${path}`).send({ args: [1, 2] });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'this API is read-only', code: 'READ_ONLY' });
    }
    expect(await queued(f)).toBe(0);
    expect((await request(f.server).get('/admin/tasks/api/tasks')).status).toBe(200);
  });

  it('refuses writes a browser marks as cross-site or from another origin', async () => {
    const f = await fixture({ startWorker: false });
    const path = '/admin/tasks/api/task/async-apply/tasks.add';
    const crossSite = await request(f.server).post(path).set('Sec-Fetch-Site', 'cross-site').send({ args: [1, 2] });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('CROSS_SITE');
    const otherOrigin = await request(f.server).post(path).set('Origin', 'https://evil.example').send({ args: [1, 2] });
    expect(otherOrigin.status).toBe(403);
    expect(await queued(f)).toBe(0);
    const sameOrigin = await request(f.server).post(path).set('Sec-Fetch-Site', 'same-origin').set('Host', 'tasks.local').set('Origin', 'http://tasks.local').send({ args: [1, 2] });
    expect(sameOrigin.status).toBe(202);
  });

  it('sets security headers and answers unknown API paths with a JSON 404', async () => {
    const f = await fixture({ startWorker: false });
    const res = await request(f.server).get('/admin/tasks/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});

describe('monitor start-up', () => {
  it('keeps trying to start the monitor while the broker is unreachable', async () => {
    class FlakyBroker extends MemoryBroker {
      failures = 2;
      override async connect(): Promise<void> {
        if (this.failures > 0) {
          this.failures--;
          throw new Error('broker down');
        }
        await super.connect();
      }
    }
    const broker = new FlakyBroker();
    const app = createApp({ broker, backend: 'memory://', logger: silentLogger });
    app.task('tasks.add', (x: number, y: number) => x + y);
    const router = createTaskRouter({ app, auth: 'none', monitorRetryMs: 20 });
    await expect(router.ready).rejects.toThrow('broker down');
    await eventually(() => broker.failures === 0 && broker.state === 'ready');
    const worker = app.worker({ sendEvents: true });
    await worker.start();
    const r = await app.sendTask('tasks.add', [1, 2]);
    await eventually(() => router.monitor.get(r.id)?.state === 'SUCCESS');
    await router.close();
    await worker.stop();
    await app.close();
  });
});
