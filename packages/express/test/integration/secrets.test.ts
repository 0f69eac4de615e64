/**
 * The dashboard API, /healthz and /metrics never show the broker password: a user of this
 * file's own (made with rabbitmqctl, deleted after) whose password needs percent-encoding, a
 * connection the broker closes with that password in its reason, then every monitoring route.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, eventually, startAmqpFixture, type AmqpFixture } from '../support.js';

const rabbitmqctl = (...args: string[]) => new Promise<string>((resolve, reject) => {
  execFile('rabbitmqctl', args, { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
});

const USER = `celeriac_express_secret_${randomBytes(4).toString('hex')}`;
const PASSWORD = `Xq9@:/%${randomBytes(4).toString('hex')}`;
let f: AmqpFixture | undefined;

beforeAll(async () => {
  await rabbitmqctl('add_user', '--', USER, PASSWORD);
  await rabbitmqctl('set_permissions', '-p', '/', USER, '.*', '.*', '.*');
}, 60_000);

afterAll(async () => {
  await f?.close();
  await rabbitmqctl('delete_user', USER).catch(() => undefined);
}, 60_000);

describe('secrets in the monitoring routes', () => {
  it('no route shows the password, even after the broker closed the connection with it in the reason', async () => {
    const url = `amqp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:5672`;
    f = await startAmqpFixture({ backend: REDIS_URL, app: { broker: url } });
    await f.app.sendTask('tasks.add', [1, 2]).then((r) => r.get({ timeout: 10_000 }));
    const connections = await rabbitmqctl('list_connections', 'pid', 'user');
    for (const line of connections.split('\n').filter((l) => l.includes(USER))) {
      await rabbitmqctl('close_connection', line.split('\t')[0]!, `closing ${PASSWORD}`).catch(() => undefined);
    }
    await eventually(() => (f!.app.broker.stats?.().reconnects ?? 0) > 0, 20_000);
    const bodies: string[] = [];
    for (const path of ['healthz', 'metrics', 'api/workers', 'api/stats', 'api/monitor', 'api/tasks', 'api/queues/stats', 'api/queues/length']) {
      const res = await request(f.server).get(`/admin/tasks/${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      bodies.push(res.text);
    }
    const all = bodies.join('\n');
    expect(all).toContain('CONNECTION_FORCED'); // the reason is shown, scrubbed
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD)]) expect(all).not.toContain(form);
  }, 90_000);
});
