/**
 * Long ETAs without holding deliveries, on Celery 5.5's native delayed delivery topology.
 *
 * RabbitMQ closes a channel that keeps a delivery unacknowledged past its consumer timeout
 * (30 min by default), so a task due later than `maxHeldEtaSeconds` is not held: its unchanged
 * message is republished to `celery_delayed_27` with a routing key made of the delay in
 * seconds as 28 binary digits followed by the queue name (`0.0.…1.0.celery`). Each level L is a
 * topic exchange plus a queue with a 2^L-second TTL that dead-letters to level L-1; messages
 * skip the levels whose bit is 0. Level 0 dead-letters to `celery_delayed_delivery`, to which
 * the task queue is bound with `#.<queue>`. The declarations match kombu's exactly, so Celery
 * 5.5 workers and Celeriac share one set of delay queues; binding the task queue itself (not
 * its exchange) also works for the direct exchanges Celery 5.2 declares.
 */
import type { Broker, DelayedDelivery, Delivery } from '../broker.js';

export const DELAY_BITS = 28;
export const DELIVERY_EXCHANGE = 'celery_delayed_delivery';
export const levelName = (level: number): string => `celery_delayed_${level}`;

/** The routing key for a delay of `seconds` (at least 1, at most 2^28 - 1) to `routingKey`. */
export function delayedRoutingKey(seconds: number, routingKey: string): string {
  const s = Math.min(2 ** DELAY_BITS - 1, Math.max(1, Math.ceil(seconds)));
  const bits = s.toString(2).padStart(DELAY_BITS, '0').split('').join('.');
  return `${bits}.${routingKey.replace(/^(?:[01]\.){28}/, '')}`;
}

export class NativeDelayedDelivery implements DelayedDelivery {
  #topology: Promise<void> | null = null;
  readonly #bound = new Map<string, Promise<void>>();

  constructor(private readonly broker: Broker, private readonly queueType: 'quorum' | 'classic' = 'quorum') {}

  /** Declares the 28 levels and the delivery exchange, as kombu's declare_native_delayed_delivery_exchanges_and_queues. */
  ensureTopology(): Promise<void> {
    this.#topology ??= this.#declare().catch((err: unknown) => {
      this.#topology = null;
      throw err;
    });
    return this.#topology;
  }

  /** Binds a task queue to the delivery exchange so delayed messages come back to it. */
  bindQueue(queue: string): Promise<void> {
    let p = this.#bound.get(queue);
    if (!p) {
      p = this.ensureTopology().then(() => this.broker.bindQueue({ queue, exchange: DELIVERY_EXCHANGE, routingKey: `#.${queue}` }));
      p.catch(() => this.#bound.delete(queue));
      this.#bound.set(queue, p);
    }
    return p;
  }

  /** Parks the delivery's message for `seconds`, then acks it. */
  async park(delivery: Delivery, seconds: number): Promise<void> {
    await this.bindQueue(delivery.queue);
    const properties = { ...delivery.properties };
    delete properties.expiration;
    await this.broker.publish({ exchange: levelName(DELAY_BITS - 1), routingKey: delayedRoutingKey(seconds, delivery.queue) }, { body: delivery.body, properties });
    delivery.ack();
  }

  async #declare(): Promise<void> {
    const b = this.broker;
    let key = '1.#';
    for (let level = DELAY_BITS - 1; level >= 0; level--) {
      const name = levelName(level);
      await b.declareExchange({ name, type: 'topic', durable: true, autoDelete: false });
      const args: Record<string, unknown> = {
        'x-queue-type': this.queueType,
        'x-overflow': 'reject-publish',
        'x-message-ttl': 2 ** level * 1000,
        'x-dead-letter-exchange': level > 0 ? levelName(level - 1) : DELIVERY_EXCHANGE,
      };
      if (this.queueType === 'quorum') args['x-dead-letter-strategy'] = 'at-least-once';
      await b.declareQueue({ name, durable: true, autoDelete: false, arguments: args });
      await b.bindQueue({ queue: name, exchange: name, routingKey: key });
      key = `*.${key}`;
    }
    // a message whose bit is 0 at a level skips that level's queue and goes straight to the next exchange
    key = '0.#';
    for (let level = DELAY_BITS - 1; level > 0; level--) {
      await b.bindExchange({ destination: levelName(level - 1), source: levelName(level), routingKey: key });
      key = `*.${key}`;
    }
    await b.declareExchange({ name: DELIVERY_EXCHANGE, type: 'topic', durable: true, autoDelete: false });
    await b.bindExchange({ destination: DELIVERY_EXCHANGE, source: levelName(0), routingKey: key });
  }
}
