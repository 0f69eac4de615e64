import { DeliveryAlreadySettledError } from '../../errors/broker-errors.js';
import type { BrokerEvents, ConsumeOptions, Delivery, DeliveryHandler, Subscription } from '../broker.js';
import type { TypedEmitter } from '../../util/typed-emitter.js';
import type { MemoryQueue, StoredMessage } from './memory-queue.js';

/** What a subscription asks of the memory broker that made it. */
export interface SubscriptionHost {
  readonly events: TypedEmitter<BrokerEvents>;
  queue(name: string): MemoryQueue | undefined;
  requeue(queueName: string, message: StoredMessage): void;
  unsubscribe(sub: MemorySubscription): void;
  scheduleDispatch(): void;
}

/** A consumer on one or more memory queues with a shared prefetch window. */
export class MemorySubscription implements Subscription {
  #queues: string[];
  #prefetch: number;
  #cursor = 0;
  #cancelled = false;
  readonly #unacked = new Map<number, { queue: string; message: StoredMessage }>();
  #nextTag = 1;

  constructor(
    private readonly broker: SubscriptionHost,
    queues: readonly string[],
    private readonly onDelivery: DeliveryHandler,
    private readonly options: ConsumeOptions,
  ) {
    this.#queues = [...queues];
    this.#prefetch = options.prefetch;
  }

  get queues(): readonly string[] {
    return this.#queues;
  }

  get active(): boolean {
    return !this.#cancelled;
  }

  async setPrefetch(count: number): Promise<void> {
    this.#prefetch = count;
    this.broker.scheduleDispatch();
  }

  async addQueue(queue: string): Promise<void> {
    if (!this.#queues.includes(queue)) this.#queues.push(queue);
    this.broker.scheduleDispatch();
  }

  async removeQueue(queue: string): Promise<void> {
    this.#queues = this.#queues.filter((q) => q !== queue);
  }

  async cancel(): Promise<void> {
    // Deliveries already handed out may still be settled, as on RabbitMQ after basic.cancel.
    this.#cancelled = true;
    this.broker.unsubscribe(this);
  }

  async close(): Promise<void> {
    await this.cancel();
    this.closeNow();
  }

  /** Broker closed: everything unsettled goes back to its queue. */
  closeNow(): void {
    this.#cancelled = true;
    // back to the front of the queue in their original order, as RabbitMQ does: last one first
    for (const { queue, message } of [...this.#unacked.values()].reverse()) this.broker.requeue(queue, message);
    this.#unacked.clear();
  }

  /** Takes one message if the window allows; returns whether it delivered. */
  pull(now: number): boolean {
    if (this.#cancelled || this.#queues.length === 0) return false;
    if (!this.options.noAck && this.#prefetch > 0 && this.#unacked.size >= this.#prefetch) return false;
    for (let i = 0; i < this.#queues.length; i++) {
      const name = this.#queues[(this.#cursor + i) % this.#queues.length]!;
      const q = this.broker.queue(name);
      if (!q || q.size === 0) continue;
      const message = q.shift(now);
      if (!message) continue;
      this.#cursor = (this.#cursor + i + 1) % this.#queues.length;
      this.#deliver(name, message);
      return true;
    }
    return false;
  }

  #deliver(queue: string, message: StoredMessage): void {
    const tag = this.#nextTag++;
    const noAck = this.options.noAck === true;
    if (!noAck) this.#unacked.set(tag, { queue, message });
    let settled = noAck;
    const settle = (how: string): boolean => {
      if (settled) throw new DeliveryAlreadySettledError(how);
      settled = true;
      return this.#unacked.delete(tag);
    };
    const delivery: Delivery = {
      body: message.body,
      properties: message.properties,
      queue,
      exchange: message.exchange,
      routingKey: message.routingKey,
      redelivered: message.redelivered,
      get settled() {
        return settled;
      },
      ack: () => {
        settle('ack');
        this.broker.scheduleDispatch();
      },
      reject: (requeue: boolean) => {
        if (!settle(requeue ? 'reject(requeue)' : 'reject')) return;
        if (requeue) this.broker.requeue(queue, message); // without requeue it is dropped (Celery declares no dead-letter exchange)
        this.broker.scheduleDispatch();
      },
    };
    try {
      this.onDelivery(delivery);
    } catch (err) {
      this.broker.events.emit('error', err instanceof Error ? err : new Error(String(err)));
    }
  }
}
