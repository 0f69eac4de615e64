/**
 * The dead-letter browser on RabbitMQ: looking leaves every message in place and in order,
 * requeue moves exactly the chosen messages back to their queue and delete removes exactly the
 * chosen ones; nothing is lost or duplicated.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startAmqpFixture, type AmqpFixture } from '../support.js';

describe('dead-letter browser on RabbitMQ', () => {
  let f: AmqpFixture;

  beforeAll(async () => {
    f = await startAmqpFixture({ backend: 'rpc://' });
  });

  afterAll(async () => {
    await f?.close();
  });

  it('looks without taking, requeues and deletes exactly the chosen messages', async () => {
    const n = 30;
    for (let i = 0; i < n; i++) {
      await f.app.broker.publish({ exchange: '', routingKey: f.queue }, {
        body: Buffer.from(`{broken ${i}`), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 'tasks.add', id: `bad-${i}` } },
      });
    }
    const dlq = `${f.queue}.dlq`;
    await eventually(async () => (await f.app.broker.inspectQueue(dlq))?.messageCount === n, 15_000);
    await f.worker.stop({ timeout: 1000 }); // requeued messages must stay in the task queue to be counted
    const api = (path: string) => `/admin/tasks/api/dead-letters/${f.queue}${path}`;
    const look = async () => (await request(f.server).get(api('?limit=50'))).body as { total: number; messages: { key: string; taskId: string }[] };
    const first = await look();
    for (let i = 0; i < 3; i++) expect((await look()).messages.map((m) => m.taskId)).toEqual(first.messages.map((m) => m.taskId));
    expect(first.messages.map((m) => m.taskId)).toEqual(Array.from({ length: n }, (_, i) => `bad-${i}`));
    const requeue = [3, 11, 29];
    const remove = [0, 12, 20];
    for (const i of requeue) expect((await request(f.server).post(api('/requeue')).send({ key: first.messages[i]!.key })).status).toBe(200);
    for (const i of remove) expect((await request(f.server).post(api('/delete')).send({ key: first.messages[i]!.key })).status).toBe(200);
    const after = await look();
    const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !requeue.includes(i) && !remove.includes(i));
    expect(after.messages.map((m) => m.taskId)).toEqual(kept.map((i) => `bad-${i}`));
    expect((await f.app.broker.inspectQueue(dlq))?.messageCount).toBe(kept.length);
    expect((await f.app.broker.inspectQueue(f.queue))?.messageCount).toBe(requeue.length);
    await f.app.broker.purgeQueue(f.queue);
  }, 60_000);
});
