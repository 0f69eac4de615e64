import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { exceptionRepr } from './task-routes.js';
import { eventually, startFixture, type Fixture, type FixtureOptions } from '../test/support.js';

const fixtures: Fixture[] = [];
async function fixture(options?: FixtureOptions): Promise<Fixture> {
  const f = await startFixture(options);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.close();
});

async function send(f: Fixture, name: string, body: object = {}): Promise<string> {
  const res = await request(f.server).post(`/admin/tasks/api/task/async-apply/${name}`).send(body);
  expect(res.status).toBe(202);
  return res.body['task-id'] as string;
}

async function stateOf(f: Fixture, id: string, state: string): Promise<void> {
  await eventually(() => f.router.monitor.get(id)?.state === state);
}

describe('GET /api/task/result/:id', () => {
  it('says PENDING with no result until the task is ready', async () => {
    const f = await fixture({ startWorker: false });
    const id = await send(f, 'tasks.add', { args: [1, 2] });
    const res = await request(f.server).get(`/admin/tasks/api/task/result/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ 'task-id': id, state: 'PENDING' });
  });

  it('shows a failure as Flower does: the exception repr and the traceback', async () => {
    const f = await fixture();
    const id = await send(f, 'tasks.fail', { args: ["it's broken"] });
    const res = await eventually(async () => {
      const r = await request(f.server).get(`/admin/tasks/api/task/result/${id}`);
      return r.body.state === 'FAILURE' ? r : null;
    });
    expect(res.body.result).toBe('TypeError("it\'s broken")');
    expect(res.body.traceback).toContain('TypeError');
  });

  it('waits up to ?timeout= seconds for the result', async () => {
    const f = await fixture();
    const id = await send(f, 'tasks.slow', { args: [150] });
    const res = await request(f.server).get(`/admin/tasks/api/task/result/${id}?timeout=5`);
    expect(res.body).toEqual({ 'task-id': id, state: 'SUCCESS', result: 150 });
    expect((await request(f.server).get(`/admin/tasks/api/task/result/${id}?timeout=100`)).status).toBe(400);
    expect((await request(f.server).get(`/admin/tasks/api/task/result/${id}?timeout=abc`)).status).toBe(400);
  });

  it('rejects malformed ids', async () => {
    const f = await fixture({ startWorker: false });
    const res = await request(f.server).get('/admin/tasks/api/task/result/a%2Fb');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid task id', code: 'INVALID_REQUEST' });
  });
});

describe('GET /api/task/info/:id', () => {
  it('merges the monitor record with the stored result', async () => {
    const f = await fixture();
    const id = await send(f, 'tasks.add', { args: [20, 22] });
    await stateOf(f, id, 'SUCCESS');
    const res = await request(f.server).get(`/admin/tasks/api/task/info/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      uuid: id, name: 'tasks.add', state: 'SUCCESS', args: '[20, 22]', kwargs: '{}', result: '42', retryable: true,
      worker: f.worker.hostname, backend: { status: 'SUCCESS', result: 42, traceback: null },
    });
    for (const k of ['sent', 'received', 'started', 'succeeded', 'runtime']) expect(typeof res.body[k]).toBe('number');
  });

  it('answers from the result backend alone for a task the monitor never saw, and 404 when nothing is known', async () => {
    const f = await fixture();
    const r = await f.app.sendTask('tasks.add', [1, 1]);
    await r.get({ timeout: 3000 });
    const other = await startFixture({ app: { broker: f.app.broker, backend: f.app.backend }, startWorker: false });
    fixtures.push(other);
    const res = await request(other.server).get(`/admin/tasks/api/task/info/${r.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ uuid: r.id, state: 'SUCCESS', backend: { result: 2 } });
    const missing = await request(f.server).get('/admin/tasks/api/task/info/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('TASK_NOT_FOUND');
  });
});

describe('POST /api/task/revoke/:id', () => {
  it('revokes a pending task: it never runs and ends REVOKED', async () => {
    const f = await fixture();
    const id = await send(f, 'tasks.add', { args: [1, 2], options: { countdown: 1 } });
    await stateOf(f, id, 'RECEIVED');
    const res = await request(f.server).post(`/admin/tasks/api/task/revoke/${id}`).send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: `Revoked '${id}'` });
    await stateOf(f, id, 'REVOKED');
    expect(await f.app.asyncResult(id).state()).toBe('REVOKED');
  });

  it('validates terminate and signal', async () => {
    const f = await fixture({ startWorker: false });
    const bad = [{ terminate: 'yes' }, { signal: 'KILL; rm' }, { force: true }, [1]];
    for (const body of bad) {
      const res = await request(f.server).post('/admin/tasks/api/task/revoke/abc').send(body);
      expect(res.status).toBe(400);
    }
    const ok = await request(f.server).post('/admin/tasks/api/task/revoke/abc').send({ terminate: true, signal: 'SIGKILL' });
    expect(ok.status).toBe(200);
  });
});

describe('POST /api/task/retry/:id', () => {
  it('sends a failed task again with its original arguments, and it can then succeed', async () => {
    const f = await fixture();
    const id = await send(f, 'tasks.flaky', { args: [21] });
    await stateOf(f, id, 'FAILURE');
    expect(f.router.monitor.get(id)!.exception).toContain('not yet (21)');
    f.flaky.healthy = true;
    const res = await request(f.server).post(`/admin/tasks/api/task/retry/${id}`).send({});
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ 'task-id': expect.any(String), state: 'PENDING', 'retry-of': id });
    const newId = res.body['task-id'] as string;
    expect(newId).not.toBe(id);
    expect(await f.app.asyncResult(newId).get({ timeout: 3000 })).toBe(42);
    expect(f.router.monitor.get(id)!.retried_as).toBe(newId);
    expect(f.router.monitor.get(newId)!.retry_of).toBe(id);
  });

  it('retries tasks the in-process worker received even when they were not sent through the router', async () => {
    const f = await fixture();
    const r = await f.app.sendTask('tasks.flaky', [5]);
    await stateOf(f, r.id, 'FAILURE');
    f.flaky.healthy = true;
    const res = await request(f.server).post(`/admin/tasks/api/task/retry/${r.id}`);
    expect(res.status).toBe(202);
    expect(await f.app.asyncResult(res.body['task-id']).get({ timeout: 3000 })).toBe(10);
  });

  it('refuses tasks that are not failed, unknown, or whose arguments are only known as reprs', async () => {
    const f = await fixture();
    const ok = await send(f, 'tasks.add', { args: [1, 2] });
    await stateOf(f, ok, 'SUCCESS');
    const notFailed = await request(f.server).post(`/admin/tasks/api/task/retry/${ok}`);
    expect(notFailed.status).toBe(409);
    expect(notFailed.body.code).toBe('NOT_RETRYABLE');
    const unknown = await request(f.server).post('/admin/tasks/api/task/retry/nope');
    expect(unknown.status).toBe(404);
    // a failure reported by another worker (a Python one): only reprs are known
    f.router.monitor.handle({ type: 'task-received', hostname: 'py@host', timestamp: 1, uuid: 'py-1', name: 'tasks.add', args: '(1, 2)', kwargs: '{}' });
    f.router.monitor.handle({ type: 'task-failed', hostname: 'py@host', timestamp: 2, uuid: 'py-1', exception: 'ValueError()' });
    const reprOnly = await request(f.server).post('/admin/tasks/api/task/retry/py-1');
    expect(reprOnly.status).toBe(409);
    expect(reprOnly.body.error).toMatch(/original arguments/);
  });

  it('still applies the allow-list', async () => {
    const f = await fixture();
    const id = await send(f, 'tasks.fail', { args: ['x'] });
    await stateOf(f, id, 'FAILURE');
    const strict = await startFixture({ app: { broker: f.app.broker, backend: f.app.backend }, startWorker: false, router: { allow: ['tasks.add'], monitor: f.router.monitor } });
    fixtures.push(strict);
    const res = await request(strict.server).post(`/admin/tasks/api/task/retry/${id}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TASK_NOT_ALLOWED');
  });
});

describe('exceptionRepr', () => {
  it('writes Celery exception documents as Python reprs', () => {
    expect(exceptionRepr({ exc_type: 'ValueError', exc_message: ['bad', 2], exc_module: 'builtins' })).toBe("ValueError('bad', 2)");
    expect(exceptionRepr({ exc_type: 'KeyError', exc_message: 'k' })).toBe("KeyError('k')");
    expect(exceptionRepr('plain')).toBe("'plain'");
  });
});
