/**
 * One suite for every Broker implementation: what RabbitMQ does, every transport must do too
 * (publish/consume, prefetch, ack, reject with and without requeue, redelivery of what was
 * not settled, exchanges, settle-once), plus what its `capabilities` claim (exchange-to-exchange
 * bindings, priorities, per-message TTL, native delayed delivery). A test for a capability the
 * broker does not declare is skipped (vitest), or passes without running (runners whose tests
 * get no context). Queue and exchange names are unique and deleted afterwards, so the suite
 * can run against a shared server.
 */
import assert from 'node:assert/strict';
import type { Broker, BrokerCapabilities, Delivery } from '../broker/broker.js';
import { capabilitiesOf } from '../broker/capabilities.js';
import { ErrorCode } from '../errors/base-error.js';
import { hasCode, sleep, TEST_TIMEOUT_MS, uniqueName, until, type TestApi } from './test-api.js';

const props = (headers: Record<string, unknown> = {}) => ({ contentType: 'application/json', contentEncoding: 'utf-8', headers, deliveryMode: 2 as const });
const msg = (n: number, extra: { priority?: number; expiration?: string } = {}) =>
  ({ body: Buffer.from(JSON.stringify(n)), properties: { ...props(), ...extra } });
const num = (d: Delivery) => JSON.parse(d.body.toString()) as number;

type Flag = { [K in keyof BrokerCapabilities]: BrokerCapabilities[K] extends boolean ? K : never }[keyof BrokerCapabilities];

/** Marks the running test skipped where the runner can (vitest's test context has `skip`). */
function skip(context: unknown, why: string): void {
  (context as { skip?: (note?: string) => void } | undefined)?.skip?.(why);
}

export function runBrokerConformance(t: TestApi, name: string, create: () => Broker | Promise<Broker>): void {
  t.describe(`Broker conformance: ${name}`, () => {
    let broker: Broker | undefined;
    const queues: string[] = [];
    const exchanges: string[] = [];

    const b = (): Broker => {
      if (!broker) throw new Error('no broker: setup() first');
      return broker;
    };

    async function queue(args: Record<string, unknown> = {}): Promise<string> {
      const q = uniqueName('conf');
      await b().declareQueue({ name: q, durable: false, autoDelete: false, arguments: args });
      queues.push(q);
      return q;
    }

    function exchange(prefix: string): string {
      const x = uniqueName(prefix);
      exchanges.push(x);
      return x;
    }

    t.afterEach(async () => {
      if (!broker) return;
      for (const q of queues.splice(0)) await broker.deleteQueue(q).catch(() => undefined);
      for (const x of exchanges.splice(0)) await broker.deleteExchange(x).catch(() => undefined);
      await broker.close();
      broker = undefined;
    });

    async function setup(): Promise<Broker> {
      broker = await create();
      await broker.connect();
      return broker;
    }

    const it = (title: string, body: () => Promise<void>) => t.it(title, body, TEST_TIMEOUT_MS);
    /** A test of what `capabilities[flag]` promises; skipped when the broker does not declare it. */
    const itWhen = (flag: Flag, title: string, body: (broker: Broker) => Promise<void>) =>
      t.it(`${title} (capabilities.${flag})`, async (...context: unknown[]) => {
        const br = await setup();
        if (!capabilitiesOf(br)[flag]) return skip(context[0], `the broker does not declare capabilities.${flag}`);
        await body(br);
      }, TEST_TIMEOUT_MS);

    it('declares capabilities that match what it implements, and routes what Celery needs', async () => {
      const br = await setup();
      const caps = capabilitiesOf(br);
      // task queues (direct), remote control (fanout), events (topic)
      for (const type of ['direct', 'fanout', 'topic'] as const) assert.ok(caps.exchangeTypes.includes(type), `exchangeTypes lacks ${type}`);
      assert.equal(typeof br.delayedDelivery === 'function', caps.nativeDelayedDelivery, 'delayedDelivery() exists exactly when nativeDelayedDelivery is declared');
      assert.equal(typeof br.kind, 'string');
    });

    it('publishes to the default exchange and consumes in order', async () => {
      const br = await setup();
      const q = await queue();
      for (let i = 0; i < 5; i++) await br.publish({ exchange: '', routingKey: q }, msg(i));
      const got: number[] = [];
      await br.consume([q], (d) => {
        got.push(num(d));
        d.ack();
      }, { prefetch: 10 });
      await until(() => got.length === 5);
      assert.deepStrictEqual(got, [0, 1, 2, 3, 4]);
    });

    it('keeps headers and properties', async () => {
      const br = await setup();
      const q = await queue();
      await br.publish({ exchange: '', routingKey: q }, {
        body: Buffer.from('[]'),
        properties: { ...props({ task: 't', id: 'i', n: null, list: [null, 1], flag: true }), correlationId: 'c1', replyTo: 'r1', priority: 3 },
      });
      let d: Delivery | undefined;
      await br.consume([q], (x) => (d = x), { prefetch: 1 });
      await until(() => d !== undefined);
      assert.deepStrictEqual(
        Object.fromEntries(['task', 'id', 'n', 'list', 'flag'].map((k) => [k, d!.properties.headers?.[k]])),
        { task: 't', id: 'i', n: null, list: [null, 1], flag: true },
      );
      assert.equal(d!.properties.correlationId, 'c1');
      assert.equal(d!.properties.replyTo, 'r1');
      assert.equal(d!.queue, q);
      d!.ack();
    });

    it('never hands out more than the prefetch window', async () => {
      const br = await setup();
      const q = await queue();
      for (let i = 0; i < 10; i++) await br.publish({ exchange: '', routingKey: q }, msg(i));
      const held: Delivery[] = [];
      const sub = await br.consume([q], (d) => held.push(d), { prefetch: 3 });
      await until(() => held.length === 3);
      await sleep(100);
      assert.equal(held.length, 3);
      held.shift()!.ack();
      await until(() => held.length === 3);
      if (capabilitiesOf(br).livePrefetch) {
        await sub.setPrefetch(5);
        await until(() => held.length === 5);
      }
      for (const d of held) d.ack();
    });

    it('requeues on reject(true), drops on reject(false), redelivers what was never settled', async () => {
      const br = await setup();
      const q = await queue();
      await br.publish({ exchange: '', routingKey: q }, msg(1));
      await br.publish({ exchange: '', routingKey: q }, msg(2));
      const seen: { n: number; redelivered: boolean }[] = [];
      const sub = await br.consume([q], (d) => {
        const n = num(d);
        seen.push({ n, redelivered: d.redelivered });
        if (n === 1 && !d.redelivered) d.reject(true);
        else if (n === 2) d.reject(false);
        // the redelivered 1 is left unsettled
      }, { prefetch: 10 });
      await until(() => seen.length === 3);
      assert.ok(seen.some((s) => s.n === 1 && s.redelivered), 'the requeued message comes back marked redelivered');
      await sub.close();
      // what was not settled goes back to the queue
      const again: Delivery[] = [];
      await br.consume([q], (d) => again.push(d), { prefetch: 10 });
      await until(() => again.length === 1);
      assert.equal(num(again[0]!), 1);
      assert.equal(again[0]!.redelivered, true);
      again[0]!.ack();
      assert.equal((await br.inspectQueue(q))?.messageCount, 0);
    });

    it('throws DeliveryAlreadySettledError when a delivery is settled twice', async () => {
      const br = await setup();
      const q = await queue();
      await br.publish({ exchange: '', routingKey: q }, msg(1));
      let d: Delivery | undefined;
      await br.consume([q], (x) => (d = x), { prefetch: 1 });
      await until(() => d !== undefined);
      d!.ack();
      assert.equal(d!.settled, true);
      assert.throws(() => d!.ack(), hasCode(ErrorCode.ALREADY_SETTLED));
      assert.throws(() => d!.reject(true), hasCode(ErrorCode.ALREADY_SETTLED));
    });

    it('routes through direct, topic and fanout exchanges to consuming queues', async () => {
      const br = await setup();
      const [a, c] = [await queue(), await queue()];
      const [direct, topic, fanout] = [exchange('x_direct'), exchange('x_topic'), exchange('x_fanout')];
      await br.declareExchange({ name: direct, type: 'direct', durable: false });
      await br.declareExchange({ name: topic, type: 'topic', durable: false });
      await br.declareExchange({ name: fanout, type: 'fanout', durable: false });
      await br.bindQueue({ queue: a, exchange: direct, routingKey: 'k' });
      await br.bindQueue({ queue: a, exchange: topic, routingKey: 'task.#' });
      await br.bindQueue({ queue: c, exchange: topic, routingKey: '*.one' });
      await br.bindQueue({ queue: a, exchange: fanout, routingKey: '' });
      await br.bindQueue({ queue: c, exchange: fanout, routingKey: '' });
      // consumers first: a fanout may deliver only to queues being consumed (kombu's Redis fanout is pub/sub)
      const got = new Map<string, number[]>([[a, []], [c, []]]);
      for (const q of [a, c]) {
        await br.consume([q], (d) => {
          got.get(q)!.push(num(d));
          d.ack();
        }, { prefetch: 10 });
      }
      await br.publish({ exchange: direct, routingKey: 'k' }, msg(1));
      await br.publish({ exchange: direct, routingKey: 'other' }, msg(99));
      await br.publish({ exchange: topic, routingKey: 'task.one' }, msg(2));
      await br.publish({ exchange: fanout, routingKey: 'ignored' }, msg(3));
      await until(() => got.get(a)!.length === 3 && got.get(c)!.length === 2);
      await sleep(50);
      assert.deepStrictEqual([[...got.get(a)!].sort(), [...got.get(c)!].sort()], [[1, 2, 3], [2, 3]]);
    });

    itWhen('exchangeBindings', 'routes through exchange-to-exchange bindings', async (br) => {
      const q = await queue();
      const [src, dst] = [exchange('x_src'), exchange('x_dst')];
      await br.declareExchange({ name: src, type: 'topic', durable: false });
      await br.declareExchange({ name: dst, type: 'topic', durable: false });
      await br.bindExchange({ destination: dst, source: src, routingKey: '0.#' });
      await br.bindQueue({ queue: q, exchange: dst, routingKey: `#.${q}` });
      await br.publish({ exchange: src, routingKey: `0.1.${q}` }, msg(1));
      await br.publish({ exchange: src, routingKey: `1.1.${q}` }, msg(2));
      await until(async () => (await br.inspectQueue(q))?.messageCount === 1);
      await sleep(50);
      assert.equal((await br.inspectQueue(q))?.messageCount, 1);
    });

    itWhen('priorities', 'serves higher priorities first on an x-max-priority queue', async (br) => {
      const q = await queue({ 'x-max-priority': 10 });
      await br.publish({ exchange: '', routingKey: q }, msg(1, { priority: 1 }));
      await br.publish({ exchange: '', routingKey: q }, msg(9, { priority: 9 }));
      await br.publish({ exchange: '', routingKey: q }, msg(5, { priority: 5 }));
      await until(async () => (await br.inspectQueue(q))?.messageCount === 3);
      const got: number[] = [];
      await br.consume([q], (d) => {
        got.push(num(d));
        d.ack();
      }, { prefetch: 1 });
      await until(() => got.length === 3);
      assert.deepStrictEqual(got, [9, 5, 1]);
    });

    itWhen('perMessageTtl', 'drops a message whose per-message TTL (expiration) passed', async (br) => {
      const q = await queue();
      await br.publish({ exchange: '', routingKey: q }, msg(1, { expiration: '1' }));
      await br.publish({ exchange: '', routingKey: q }, msg(2));
      await sleep(50);
      const got: number[] = [];
      await br.consume([q], (d) => {
        got.push(num(d));
        d.ack();
      }, { prefetch: 5 });
      await until(() => got.length >= 1);
      await sleep(50);
      assert.deepStrictEqual(got, [2]);
    });

    itWhen('nativeDelayedDelivery', 'parks a delivery and brings it back to its queue after the delay', async (br) => {
      const q = await queue();
      await br.publish({ exchange: '', routingKey: q }, msg(7));
      const got: { n: number; at: number }[] = [];
      const first: Delivery[] = [];
      await br.consume([q], (d) => {
        if (first.length === 0) return void first.push(d);
        got.push({ n: num(d), at: Date.now() });
        d.ack();
      }, { prefetch: 5 });
      await until(() => first.length === 1);
      const parkedAt = Date.now();
      await br.delayedDelivery!().park(first[0]!, 1);
      assert.equal(first[0]!.settled, true, 'park() acks the delivery');
      await until(() => got.length === 1, 15_000);
      assert.equal(got[0]!.n, 7);
      assert.ok(got[0]!.at - parkedAt >= 900, `came back after ${got[0]!.at - parkedAt} ms, not after the 1 s delay`);
      assert.equal((await br.inspectQueue(q))?.messageCount, 0);
    });

    it('reports a missing queue as null and purges', async () => {
      const br = await setup();
      assert.equal(await br.inspectQueue(uniqueName('missing')), null);
      const q = await queue();
      for (let i = 0; i < 3; i++) await br.publish({ exchange: '', routingKey: q }, msg(i));
      await until(async () => (await br.inspectQueue(q))?.messageCount === 3);
      assert.equal(await br.purgeQueue(q), 3);
    });
  });
}
