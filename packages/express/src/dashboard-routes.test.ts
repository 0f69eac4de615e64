import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { chain } from '@celeriac/core';
import { eventually, useFixtures, type Fixture } from '../test/support.js';

const fixture = useFixtures();

/** Puts `n` messages the worker cannot decode on the task queue; they end up in `<queue>.dlq`. */
async function deadLetter(f: Fixture, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await f.app.broker.publish({ exchange: '', routingKey: f.queue }, {
      body: Buffer.from(`not json ${i}`), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 'tasks.add', id: `bad-${i}` } },
    });
  }
  await eventually(async () => (await f.app.broker.inspectQueue(`${f.queue}.dlq`))?.messageCount === n);
}

describe('dashboard routes', () => {
  it('searches and pages the task history, newest first, with filters', async () => {
    const f = await fixture();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await f.app.sendTask(i % 4 === 0 ? 'tasks.fail' : 'tasks.add', [i, 1])).id);
    await eventually(() => ids.every((id) => ['SUCCESS', 'FAILURE'].includes(f.router.monitor.get(id)?.state ?? '')));
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await request(f.server).get(`/admin/tasks/api/tasks/search?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.tasks.map((t: { uuid: string }) => t.uuid));
      if (!res.body.next) break;
      cursor = res.body.next;
    }
    expect([...seen].sort()).toEqual([...ids].sort());
    const failed = await request(f.server).get('/admin/tasks/api/tasks/search?state=FAILURE&name=tasks.*');
    expect(failed.body.tasks.map((t: { uuid: string }) => t.uuid).sort()).toEqual(ids.filter((_, i) => i % 4 === 0).sort());
    const byId = await request(f.server).get(`/admin/tasks/api/tasks/search?id=${ids[5]!.slice(0, 8)}`);
    expect(byId.body.tasks.map((t: { uuid: string }) => t.uuid)).toEqual([ids[5]]);
    expect((await request(f.server).get('/admin/tasks/api/tasks/search?cursor=abc')).status).toBe(400);
    const stats = await request(f.server).get('/admin/tasks/api/stats?points=30');
    expect(stats.body.counts).toMatchObject({ SUCCESS: 9, FAILURE: 3 });
    expect(stats.body.points).toHaveLength(30);
    expect(stats.body.points.reduce((a: number, p: { succeeded: number }) => a + p.succeeded, 0)).toBe(9);
  });

  it('draws a chain as a graph of its tasks', async () => {
    const f = await fixture();
    const add = f.app.signature<[number, number], number>('tasks.add');
    const r = await chain(add.s(1, 2), add.s(3), add.s(4)).applyAsync();
    expect(await r.get({ timeout: 5000 })).toBe(10);
    const res = await eventually(async () => {
      const g = await request(f.server).get(`/admin/tasks/api/task/graph/${r.id}`);
      return g.status === 200 && g.body.nodes.length === 3 ? g : null;
    });
    const nodes = res.body.nodes as { id: string; parent: string | null }[];
    const root = nodes.find((n) => n.id === res.body.root)!;
    expect(root).toBeDefined();
    expect(nodes.filter((n) => n.parent === root.id)).toHaveLength(1);
  });

  it('sends worker actions to one worker and answers with its reply', async () => {
    const f = await fixture({ router: { inspectTimeout: 500 } });
    const w = encodeURIComponent(f.worker.hostname);
    const grow = await request(f.server).post(`/admin/tasks/api/worker/${w}/pool_grow`).send({ n: 2 });
    expect(grow.body).toEqual({ worker: f.worker.hostname, action: 'pool_grow', reply: { ok: 'pool will grow' } });
    expect(f.worker.options.concurrency).toBe(6);
    const limit = await request(f.server).post(`/admin/tasks/api/worker/${w}/rate_limit`).send({ task: 'tasks.add', rate: '10/m' });
    expect(limit.body.reply).toEqual({ ok: 'new rate limit set successfully' });
    expect((await request(f.server).post(`/admin/tasks/api/worker/${w}/add_consumer`).send({ queue: 'elsewhere' })).status).toBe(403);
    expect((await request(f.server).post(`/admin/tasks/api/worker/${w}/reboot`).send({})).status).toBe(400);
    expect((await request(f.server).post('/admin/tasks/api/worker/nobody@x/pool_grow').send({})).status).toBe(504);
  });

  it('lists dead-lettered messages with their reason, requeues one (confirmed, then removed) and deletes one', async () => {
    const f = await fixture({ startWorker: false });
    await f.worker.start();
    await deadLetter(f, 3);
    const list = await request(f.server).get(`/admin/tasks/api/dead-letters/${f.queue}`);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(3);
    expect(list.body.messages.map((m: { taskId: string }) => m.taskId)).toEqual(['bad-0', 'bad-1', 'bad-2']);
    expect(list.body.messages[0]).toMatchObject({ queue: f.queue, taskName: 'tasks.add', body: 'not json 0' });
    expect(list.body.messages[0].reason).toMatch(/JSON|decode/i);
    // looking took nothing away
    expect((await f.app.broker.inspectQueue(`${f.queue}.dlq`))?.messageCount).toBe(3);
    const [first, second] = list.body.messages as { key: string }[];
    await f.worker.stop(); // so the requeued message stays in the task queue to be seen
    const requeue = await request(f.server).post(`/admin/tasks/api/dead-letters/${f.queue}/requeue`).send({ key: first!.key });
    expect(requeue.body).toMatchObject({ action: 'requeue', requeued_to: f.queue });
    expect((await f.app.broker.inspectQueue(f.queue))?.messageCount).toBe(1);
    expect((await request(f.server).post(`/admin/tasks/api/dead-letters/${f.queue}/delete`).send({ key: second!.key })).status).toBe(200);
    const after = await request(f.server).get(`/admin/tasks/api/dead-letters/${f.queue}`);
    expect(after.body.messages.map((m: { taskId: string }) => m.taskId)).toEqual(['bad-2']);
    expect((await request(f.server).post(`/admin/tasks/api/dead-letters/${f.queue}/delete`).send({ key: second!.key })).status).toBe(404);
    expect((await request(f.server).get('/admin/tasks/api/dead-letters/unknown_queue')).status).toBe(404);
    const metrics = (await request(f.server).get('/admin/tasks/metrics')).text;
    expect(metrics).toContain(`celeriac_dead_letter_actions_total{queue="${f.queue}",action="requeue"} 1`);
    expect(metrics).toContain(`celeriac_dead_letter_messages{queue="${f.queue}"} 1`);
  });

  it('refuses every dashboard write in read-only mode', async () => {
    const f = await fixture({ router: { readOnly: true } });
    await deadLetter(f, 1);
    const key = (await request(f.server).get(`/admin/tasks/api/dead-letters/${f.queue}`)).body.messages[0].key;
    for (const path of [`/api/dead-letters/${f.queue}/delete`, `/api/worker/${encodeURIComponent(f.worker.hostname)}/shutdown`]) {
      const res = await request(f.server).post(`/admin/tasks${path}`).send({ key });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('READ_ONLY');
    }
    expect((await f.app.broker.inspectQueue(`${f.queue}.dlq`))?.messageCount).toBe(1);
    expect(f.worker.state).toBe('running');
  });
});
