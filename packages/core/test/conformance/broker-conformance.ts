/**
 * One suite for every Broker implementation: what RabbitMQ does, the memory broker must do
 * too (publish/consume, prefetch, ack, reject with and without requeue, redelivery of what was
 * not settled, exchanges, priorities, settle-once).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryAlreadySettledError, type Broker, type Delivery } from '../../src/index.js';
import { unique, until } from '../helpers/env.js';

const props = (headers: Record<string, unknown> = {}) => ({ contentType: 'application/json', contentEncoding: 'utf-8', headers, deliveryMode: 2 as const });
const msg = (n: number, extra: Partial<ReturnType<typeof props>> & { priority?: number; expiration?: string } = {}) =>
  ({ body: Buffer.from(JSON.stringify(n)), properties: { ...props(), ...extra } });

/** Where a transport differs from RabbitMQ by design (kombu's Redis transport does, for Python interop). */
export interface BrokerConformanceExpectations {
  /** Order a priority queue serves 1, 9, 5 in: RabbitMQ highest first, kombu's Redis lowest first. @defaultValue 'highest-first' */
  priority?: 'highest-first' | 'lowest-first';
  /** Whether a per-message TTL (`expiration`) drops messages (kombu's Redis ignores it). @defaultValue true */
  messageTtl?: boolean;
  /** Fanout exchanges reach queues (RabbitMQ) or only the consumers subscribed right now (PUB/SUB). @defaultValue 'queues' */
  fanout?: 'queues' | 'subscribers';
}

export function runBrokerConformance(name: string, create: () => Broker, expect_: BrokerConformanceExpectations = {}): void {
  const { priority = 'highest-first', messageTtl = true, fanout: fanoutMode = 'queues' } = expect_;
  describe(`Broker conformance: ${name}`, () => {
    let broker: Broker;
    const queues: string[] = [];
    const exchanges: string[] = [];

    async function queue(args: Record<string, unknown> = {}): Promise<string> {
      const q = unique('conf');
      await broker.declareQueue({ name: q, durable: false, autoDelete: false, arguments: args });
      queues.push(q);
      return q;
    }

    afterEach(async () => {
      for (const q of queues.splice(0)) await broker.deleteQueue(q).catch(() => undefined);
      for (const x of exchanges.splice(0)) await broker.deleteExchange(x).catch(() => undefined);
      await broker.close();
    });

    const setup = async () => {
      broker = create();
      await broker.connect();
    };

    it('publishes to the default exchange and consumes in order', async () => {
      await setup();
      const q = await queue();
      for (let i = 0; i < 5; i++) await broker.publish({ exchange: '', routingKey: q }, msg(i));
      const got: number[] = [];
      await broker.consume([q], (d) => {
        got.push(JSON.parse(d.body.toString()));
        d.ack();
      }, { prefetch: 10 });
      await until(() => got.length === 5);
      expect(got).toEqual([0, 1, 2, 3, 4]);
    });

    it('keeps headers and properties', async () => {
      await setup();
      const q = await queue();
      await broker.publish({ exchange: '', routingKey: q }, {
        body: Buffer.from('[]'),
        properties: { ...props({ task: 't', id: 'i', n: null, list: [null, 1], flag: true }), correlationId: 'c1', replyTo: 'r1', priority: 3 },
      });
      let d: Delivery | undefined;
      await broker.consume([q], (x) => (d = x), { prefetch: 1 });
      await until(() => d !== undefined);
      expect(d!.properties.headers).toMatchObject({ task: 't', id: 'i', n: null, list: [null, 1], flag: true });
      expect(d!.properties.correlationId).toBe('c1');
      expect(d!.properties.replyTo).toBe('r1');
      expect(d!.queue).toBe(q);
      d!.ack();
    });

    it('never hands out more than the prefetch window', async () => {
      await setup();
      const q = await queue();
      for (let i = 0; i < 10; i++) await broker.publish({ exchange: '', routingKey: q }, msg(i));
      const held: Delivery[] = [];
      const sub = await broker.consume([q], (d) => held.push(d), { prefetch: 3 });
      await until(() => held.length === 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(held).toHaveLength(3);
      held.shift()!.ack();
      await until(() => held.length === 3);
      await sub.setPrefetch(5);
      await until(() => held.length === 5);
      for (const d of held) d.ack();
    });

    it('requeues on reject(true), drops on reject(false), redelivers what was never settled', async () => {
      await setup();
      const q = await queue();
      await broker.publish({ exchange: '', routingKey: q }, msg(1));
      await broker.publish({ exchange: '', routingKey: q }, msg(2));
      const seen: { n: number; redelivered: boolean }[] = [];
      const sub = await broker.consume([q], (d) => {
        const n = JSON.parse(d.body.toString()) as number;
        seen.push({ n, redelivered: d.redelivered });
        if (n === 1 && !d.redelivered) d.reject(true);
        else if (n === 2) d.reject(false);
        // the redelivered 1 is left unsettled
      }, { prefetch: 10 });
      await until(() => seen.length === 3);
      expect(seen).toContainEqual({ n: 1, redelivered: true });
      await sub.close();
      // what was not settled goes back to the queue
      const again: Delivery[] = [];
      await broker.consume([q], (d) => again.push(d), { prefetch: 10 });
      await until(() => again.length === 1);
      expect(JSON.parse(again[0]!.body.toString())).toBe(1);
      expect(again[0]!.redelivered).toBe(true);
      again[0]!.ack();
      expect((await broker.inspectQueue(q))?.messageCount).toBe(0);
    });

    it('throws DeliveryAlreadySettledError when a delivery is settled twice', async () => {
      await setup();
      const q = await queue();
      await broker.publish({ exchange: '', routingKey: q }, msg(1));
      let d: Delivery | undefined;
      await broker.consume([q], (x) => (d = x), { prefetch: 1 });
      await until(() => d !== undefined);
      d!.ack();
      expect(d!.settled).toBe(true);
      expect(() => d!.ack()).toThrow(DeliveryAlreadySettledError);
      expect(() => d!.reject(true)).toThrow(DeliveryAlreadySettledError);
    });

    it('routes through direct, topic and fanout exchanges', async () => {
      await setup();
      const [a, b] = [await queue(), await queue()];
      const direct = unique('x_direct');
      const topic = unique('x_topic');
      const fanout = unique('x_fanout');
      exchanges.push(direct, topic, fanout);
      await broker.declareExchange({ name: direct, type: 'direct', durable: false });
      await broker.declareExchange({ name: topic, type: 'topic', durable: false });
      await broker.declareExchange({ name: fanout, type: 'fanout', durable: false });
      await broker.bindQueue({ queue: a, exchange: direct, routingKey: 'k' });
      await broker.bindQueue({ queue: a, exchange: topic, routingKey: 'task.#' });
      await broker.bindQueue({ queue: b, exchange: topic, routingKey: '*.one' });
      await broker.bindQueue({ queue: a, exchange: fanout, routingKey: '' });
      await broker.bindQueue({ queue: b, exchange: fanout, routingKey: '' });
      await broker.publish({ exchange: direct, routingKey: 'k' }, msg(1));
      await broker.publish({ exchange: direct, routingKey: 'other' }, msg(99));
      await broker.publish({ exchange: topic, routingKey: 'task.one' }, msg(2));
      if (fanoutMode === 'queues') {
        await broker.publish({ exchange: fanout, routingKey: 'ignored' }, msg(3));
        await until(async () => (await broker.inspectQueue(a))?.messageCount === 3 && (await broker.inspectQueue(b))?.messageCount === 2);
        return;
      }
      await until(async () => (await broker.inspectQueue(a))?.messageCount === 2 && (await broker.inspectQueue(b))?.messageCount === 1);
      // PUB/SUB: each consumer of a fanout-bound queue gets the broadcast, nothing is queued
      const f1 = unique('conf_f');
      const f2 = unique('conf_f');
      const got: string[] = [];
      for (const f of [f1, f2]) {
        await broker.declareQueue({ name: f, durable: false, autoDelete: true, exclusive: true });
        await broker.bindQueue({ queue: f, exchange: fanout, routingKey: '' });
        await broker.consume([f], (d) => got.push(`${d.queue}:${d.body.toString()}`), { prefetch: 0, noAck: true });
      }
      await broker.publish({ exchange: fanout, routingKey: '' }, msg(3));
      await until(() => got.length === 2);
      expect(got.sort()).toEqual([`${f1}:3`, `${f2}:3`].sort());
    });

    it('routes through exchange-to-exchange bindings', async () => {
      await setup();
      const q = await queue();
      const src = unique('x_src');
      const dst = unique('x_dst');
      exchanges.push(src, dst);
      await broker.declareExchange({ name: src, type: 'topic', durable: false });
      await broker.declareExchange({ name: dst, type: 'topic', durable: false });
      await broker.bindExchange({ destination: dst, source: src, routingKey: '0.#' });
      await broker.bindQueue({ queue: q, exchange: dst, routingKey: `#.${q}` });
      await broker.publish({ exchange: src, routingKey: `0.1.${q}` }, msg(1));
      await broker.publish({ exchange: src, routingKey: `1.1.${q}` }, msg(2));
      await until(async () => (await broker.inspectQueue(q))?.messageCount === 1);
      await new Promise((r) => setTimeout(r, 50));
      expect((await broker.inspectQueue(q))?.messageCount).toBe(1);
    });

    it('serves higher priorities first on an x-max-priority queue', async () => {
      await setup();
      const q = await queue({ 'x-max-priority': 10 });
      await broker.publish({ exchange: '', routingKey: q }, msg(1, { priority: 1 }));
      await broker.publish({ exchange: '', routingKey: q }, msg(9, { priority: 9 }));
      await broker.publish({ exchange: '', routingKey: q }, msg(5, { priority: 5 }));
      await until(async () => (await broker.inspectQueue(q))?.messageCount === 3);
      const got: number[] = [];
      await broker.consume([q], (d) => {
        got.push(JSON.parse(d.body.toString()));
        d.ack();
      }, { prefetch: 1 });
      await until(() => got.length === 3);
      expect(got).toEqual(priority === 'highest-first' ? [9, 5, 1] : [1, 5, 9]);
    });

    it.runIf(messageTtl)('drops a message whose per-message TTL (expiration) passed', async () => {
      await setup();
      const q = await queue();
      await broker.publish({ exchange: '', routingKey: q }, msg(1, { expiration: '1' }));
      await broker.publish({ exchange: '', routingKey: q }, msg(2));
      await new Promise((r) => setTimeout(r, 50));
      const got: number[] = [];
      await broker.consume([q], (d) => {
        got.push(JSON.parse(d.body.toString()));
        d.ack();
      }, { prefetch: 5 });
      await until(() => got.length >= 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([2]);
    });

    it('reports a missing queue as null and purges', async () => {
      await setup();
      expect(await broker.inspectQueue(unique('missing'))).toBeNull();
      const q = await queue();
      for (let i = 0; i < 3; i++) await broker.publish({ exchange: '', routingKey: q }, msg(i));
      await until(async () => (await broker.inspectQueue(q))?.messageCount === 3);
      expect(await broker.purgeQueue(q)).toBe(3);
    });
  });
}
