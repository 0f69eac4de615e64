/**
 * Least privilege on the real RabbitMQ: a vhost of this file's own, one user per role with
 * exactly the permissions `rabbitPermissions()` documents (made with rabbitmqctl, deleted
 * after). Each role does its real work with Celery's default names; what a role may not do is
 * refused with an error naming the permission; passive mode runs a worker that declares nothing
 * durable; a worker without configure rights warns, names the permission and keeps working.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessRefusedError, TopologyMissingError, createApp, type AppOptions, type CeleriacApp, type CeleryEvent, type Logger,
} from '../../src/index.js';
import { rabbitPermissions, type RoleNames } from '../../src/broker/amqp/permissions.js';
import { NativeDelayedDelivery } from '../../src/broker/amqp/native-delayed-delivery.js';
import { until } from '../helpers/env.js';
import { testVhost, type TestUser, type TestVhost } from '../helpers/rabbit-admin.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PASSIVE_NAMES: RoleNames = { queues: ['passive_q'], controlExchange: 'passive_ns', eventExchange: 'passive_ev', passive: true };

let v: TestVhost;
let users: Record<string, TestUser>;
const apps: CeleriacApp[] = [];
const logs: string[] = [];

function logger(who: string): Logger {
  return { debug() {}, info() {}, warn: (m) => logs.push(`${who} WARN ${m}`), error: (m) => logs.push(`${who} ERROR ${m}`) };
}

function app(who: string, options: AppOptions): CeleriacApp {
  const a = createApp({ backend: 'rpc://', logger: logger(who), ...options });
  apps.push(a);
  return a;
}

/** Log lines about refusals from these apps. */
const refusals = (...who: string[]) => logs.filter((l) => who.includes(l.split(' ')[0]!) && /ACCESS_REFUSED|refused|does not exist/.test(l));

beforeAll(async () => {
  v = await testVhost('perm');
  const worker = rabbitPermissions('worker');
  users = await v.users({
    worker,
    producer: rabbitPermissions('producer'),
    beat: rabbitPermissions('beat'),
    monitor: rabbitPermissions('monitor'),
    dashboard: rabbitPermissions('dashboard'),
    pworker: rabbitPermissions('worker', PASSIVE_NAMES),
    pproducer: rabbitPermissions('producer', PASSIVE_NAMES),
    // a worker's write and read, configure only for remote control: declaring mode without the rights
    noconf: { ...worker, configure: rabbitPermissions('worker', { passive: true }).configure },
    cli: { configure: '^$', write: '^$', read: '^$' },
  });
}, 120_000);

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  await v?.remove();
}, 120_000);

describe('the documented permissions per role', () => {
  it('worker, producer, beat, monitor and dashboard do their work with exactly their permissions', async () => {
    const worker = app('worker', { broker: users.worker!.url });
    worker.task('perm.add', (x: number, y: number) => x + y);
    const w = worker.worker({ sendEvents: true, maxHeldEtaSeconds: 1, concurrency: 2 });
    await w.start();

    const monitor = app('monitor', { broker: users.monitor!.url, backend: null });
    const events: CeleryEvent[] = [];
    const receiver = monitor.eventReceiver();
    receiver.on('event', (e) => events.push(e));
    await receiver.start();
    expect(await monitor.control.ping({ timeout: 3000 })).toEqual([{ [w.hostname]: { ok: 'pong' } }]);
    expect(Object.keys(await monitor.control.inspect('stats', {}, { timeout: 3000 }))).toEqual([w.hostname]);
    expect(await monitor.broker.inspectQueue('celery')).toMatchObject({ consumerCount: 1 });

    const producer = app('producer', { broker: users.producer!.url });
    expect(await (await producer.sendTask('perm.add', [1, 2])).get({ timeout: 20_000 })).toBe(3);
    // a countdown past maxHeldEtaSeconds is parked on celery_delayed_* by the worker and comes back
    expect(await (await producer.sendTask('perm.add', [3, 4], {}, { countdown: 3 })).get({ timeout: 30_000 })).toBe(7);

    // beat: a producer that also holds its leader lock (an exclusive queue, as RabbitMqLock declares it)
    const beat = app('beat', { broker: users.beat!.url });
    await beat.broker.declareQueue({ name: 'celeriac.beat.lock.default', durable: false, exclusive: true, autoDelete: true });
    expect(await (await beat.sendTask('perm.add', [5, 6])).get({ timeout: 20_000 })).toBe(11);

    const dashboard = app('dashboard', { broker: users.dashboard!.url });
    const dashEvents: CeleryEvent[] = [];
    const dashReceiver = dashboard.eventReceiver();
    dashReceiver.on('event', (e) => dashEvents.push(e));
    await dashReceiver.start();
    expect(await dashboard.control.ping({ timeout: 3000 })).toHaveLength(1);
    expect(await (await dashboard.sendTask('perm.add', [10, 20])).get({ timeout: 20_000 })).toBe(30); // "retry" from the dashboard
    await until(() => dashEvents.some((e) => e.type === 'task-succeeded'), 10_000);
    await until(() => events.filter((e) => e.type === 'task-succeeded').length >= 4, 10_000);

    await receiver.stop();
    await dashReceiver.stop();
    await w.stop();
    expect(refusals()).toEqual([]);
  }, 90_000);

  it('what a role may not do is refused at once, naming the permission, the resource and the vhost', async () => {
    await app('admin0', { broker: v.adminUrl }).topology.ensureTaskQueue('celery');
    // (a declaring producer binds the queue to its exchange of the same name, which needs read on
    // that name, so only a passive producer is kept from consuming: see the README)
    const producer = app('producer-neg', { broker: users.pproducer!.url });
    const consume = await producer.broker.consume(['celery'], () => undefined, { prefetch: 1 }).catch((e: unknown) => e);
    expect(consume).toBeInstanceOf(AccessRefusedError);
    expect((consume as AccessRefusedError).access).toMatchObject({ permission: 'read', kind: 'queue', name: 'celery', vhost: v.name, user: users.pproducer!.name });
    expect((consume as Error).message).toBe(`ACCESS_REFUSED: user '${users.pproducer!.name}' has no read permission on queue 'celery' in vhost '${v.name}' (needed to consume queue 'celery')`);

    const monitor = app('monitor-neg', { broker: users.monitor!.url, backend: null });
    const send = await monitor.sendTask('perm.add', [1, 1]).catch((e: unknown) => e);
    expect(send).toBeInstanceOf(AccessRefusedError);
    expect((send as AccessRefusedError).access).toMatchObject({ permission: 'write', kind: 'exchange', name: 'amq.default' });
    expect(await monitor.control.ping({ timeout: 500 })).toEqual([]); // its other publishing still works
    // a refused publish fails alone: the messages in flight with it on the same channel are sent again
    const message = { body: Buffer.from('{}'), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, deliveryMode: 1 as const } };
    const together = await Promise.allSettled([
      monitor.broker.publish({ exchange: '', routingKey: 'celery' }, message),
      ...Array.from({ length: 20 }, () => monitor.broker.publish({ exchange: 'celery.pidbox', routingKey: '' }, message)),
    ]);
    expect(together[0]).toMatchObject({ status: 'rejected', reason: expect.any(AccessRefusedError) });
    expect(together.slice(1).map((r) => r.status)).toEqual(Array(20).fill('fulfilled'));

    const worker = app('worker-neg', { broker: users.worker!.url });
    const declare = await worker.broker.declareQueue({ name: 'not_mine' }).catch((e: unknown) => e);
    expect(declare).toBeInstanceOf(AccessRefusedError);
    expect((declare as Error).message).toContain(`has no configure permission on queue 'not_mine' in vhost '${v.name}' (needed to declare queue 'not_mine'); and the queue does not exist, so an admin must declare it`);
  }, 60_000);
});

describe('passive mode', () => {
  it('a worker and a producer limited to their queues declare nothing durable, and run tasks', async () => {
    // the admin declares the durable topology once (here with guest; rabbitmqadmin or a deploy script in real life)
    const admin = app('admin', { broker: v.adminUrl, defaultQueue: 'passive_q', eventExchange: 'passive_ev' });
    await admin.topology.ensureTaskQueue('passive_q');
    await admin.topology.ensureDeadLetterQueue('passive_q');
    await admin.broker.declareExchange({ name: 'passive_ev', type: 'topic' });
    await new NativeDelayedDelivery(admin.broker).ensureTopology();
    await new NativeDelayedDelivery(admin.broker).bindQueue('passive_q');

    const names = { defaultQueue: 'passive_q', controlExchange: 'passive_ns', eventExchange: 'passive_ev' };
    const worker = app('pworker', { broker: users.pworker!.url, ...names, amqp: { passive: true } });
    worker.task('perm.mul', (x: number, y: number) => x * y);
    const w = worker.worker({ sendEvents: true, maxHeldEtaSeconds: 1 });
    await w.start();
    const producer = app('pproducer', { broker: users.pproducer!.url, ...names, amqp: { passive: true } });
    expect(await (await producer.sendTask('perm.mul', [6, 7])).get({ timeout: 20_000 })).toBe(42);
    expect(await (await producer.sendTask('perm.mul', [2, 5], {}, { countdown: 2 })).get({ timeout: 30_000 })).toBe(10);
    // remote control still works: its queues live only as long as a connection, so they are declared
    const monitor = app('pmonitor', { broker: users.pworker!.url, ...names, amqp: { passive: true }, backend: null });
    expect(await monitor.control.ping({ timeout: 3000 })).toEqual([{ [w.hostname]: { ok: 'pong' } }]);

    // a queue nobody declared: one clear error, nothing created
    const missing = await producer.sendTask('perm.mul', [1, 1], {}, { queue: 'passive_missing' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TopologyMissingError);
    expect((missing as Error).message).toBe(`exchange 'passive_missing' does not exist in vhost '${v.name}': passive mode checks but never declares, so an admin must declare it`);
    await w.stop();
    expect(refusals('admin', 'pworker', 'pproducer', 'pmonitor')).toEqual([]);
  }, 90_000);
});

describe('without configure rights in declaring mode', () => {
  it('warns once per refused declaration, naming the permission; runs tasks; a refused add_consumer leaves the worker up', async () => {
    const admin = app('admin2', { broker: v.adminUrl });
    await admin.topology.ensureTaskQueue('celery');
    await admin.topology.ensureTaskQueue('secret_q');
    const worker = app('noconf', { broker: users.noconf!.url, nativeDelayedDelivery: false });
    worker.task('perm.sub', (x: number, y: number) => x - y);
    const w = worker.worker();
    await w.start();
    const user = users.noconf!.name;
    expect(logs).toContain(`noconf WARN broker: ACCESS_REFUSED: user '${user}' has no configure permission on exchange 'celery' in vhost '${v.name}' (needed to declare exchange 'celery'); the exchange exists, so it is used as it is (set amqp.passive to check it without trying to declare)`);
    expect(logs).toContain(`noconf WARN broker: ACCESS_REFUSED: user '${user}' has no configure permission on queue 'celery' in vhost '${v.name}' (needed to declare queue 'celery'); the queue exists, so it is used as it is (set amqp.passive to check it without trying to declare)`);

    const producer = app('producer2', { broker: users.producer!.url });
    expect(await (await producer.sendTask('perm.sub', [9, 4])).get({ timeout: 20_000 })).toBe(5);
    // secret_q: not in the worker's read permission
    const monitor = app('monitor2', { broker: users.monitor!.url, backend: null });
    const replies = await monitor.control.broadcast('add_consumer', { queue: 'secret_q' }, { timeout: 5000, destination: [w.hostname] });
    expect(JSON.stringify(replies)).toContain(`has no read permission on queue 'secret_q' in vhost '${v.name}' (needed to consume queue 'secret_q')`);
    expect(w.state).toBe('running');
    await until(() => w.liveness().consuming, 10_000); // consuming its own queue again after the refused one
    expect(await (await producer.sendTask('perm.sub', [10, 1])).get({ timeout: 20_000 })).toBe(9);
    await w.stop();
  }, 90_000);
});

describe('celeriac permissions', () => {
  it('prints a rabbitmqctl command that works pasted into a shell, for the app of -b / -A', async () => {
    const sh = (cmd: string, args: string[]) => new Promise<string>((resolve, reject) => {
      execFile(cmd, args, { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
    });
    const printed = await sh(process.execPath, [CLI, 'permissions', 'monitor', '-b', users.cli!.url]);
    const command = printed.split('\n')[0]!;
    expect(command).toMatch(new RegExp(`^rabbitmqctl set_permissions -p '${v.name}' '${users.cli!.name}' `));
    await sh('sh', ['-c', command]);
    const monitor = app('cli', { broker: users.cli!.url, backend: null });
    expect(await monitor.control.ping({ timeout: 500 })).toEqual([]);
    const listed = await sh('rabbitmqctl', ['list_user_permissions', users.cli!.name]);
    const p = rabbitPermissions('monitor');
    expect(listed).toContain(`${v.name}\t${p.configure}\t${p.write}\t${p.read}`);
  }, 60_000);
});
