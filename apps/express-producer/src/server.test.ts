import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type SampleServer } from './server.js';

let sample: SampleServer;
let http: Server;
let base: string;
const admin = { Authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` };

beforeEach(async () => {
  sample = await createServer({ amqpUrl: '', adminToken: 's3cret', reportDelayMs: 50 });
  http = await new Promise<Server>((resolve) => {
    const s = sample.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterEach(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await sample.close();
});

async function poll(url: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const body = (await (await fetch(url, { headers })).json()) as Record<string, unknown>;
    if (body.state === 'SUCCESS' || body.state === 'FAILURE' || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('express producer sample', () => {
  it('POST /reports → 202 with a Location → GET serves the result', async () => {
    const res = await fetch(`${base}/reports`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: 'ada' }) });
    expect(res.status).toBe(202);
    const { id, state } = (await res.json()) as { id: string; state: string };
    expect(state).toBe('PENDING');
    expect(res.headers.get('location')).toBe(`/reports/${id}`);
    const done = await poll(`${base}${res.headers.get('location')}`);
    expect(done).toMatchObject({ id, state: 'SUCCESS', result: { userId: 'ada', pages: 6 } });
  });

  it('POST /sum enqueues through req.celeriac and validates input', async () => {
    const bad = await fetch(`${base}/sum`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ x: '1', y: 2 }) });
    expect(bad.status).toBe(400);
    const res = await fetch(`${base}/sum`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ x: 40, y: 2 }) });
    expect(res.status).toBe(202);
    const done = await poll(`${base}${res.headers.get('location')}`);
    expect(done).toMatchObject({ state: 'SUCCESS', result: 42 });
  });

  it('serves the task router under /admin/tasks behind Basic auth', async () => {
    const anonymous = await fetch(`${base}/admin/tasks/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const page = await fetch(`${base}/admin/tasks/`, { headers: admin });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Celeriac tasks</title>');

    const sent = await fetch(`${base}/admin/tasks/api/task/async-apply/tasks.add`, {
      method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify({ args: [1, 2] }),
    });
    expect(sent.status).toBe(202);
    const result = await poll(`${base}${sent.headers.get('location')}`, admin);
    expect(result).toMatchObject({ state: 'SUCCESS', result: 3 });
    const notAllowed = await fetch(`${base}/admin/tasks/api/task/async-apply/celery.ping`, { method: 'POST', headers: admin });
    expect(notAllowed.status).toBe(403);
    const health = await fetch(`${base}/admin/tasks/healthz`, { headers: admin });
    expect(await health.json()).toMatchObject({ status: 'ok', worker: { consuming: true } });
  });
});
