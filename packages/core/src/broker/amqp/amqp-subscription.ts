/**
 * A consumer on one channel, over one or more queues, with a prefetch window.
 * It survives reconnects: the broker calls `reopen()` with the new connection and the
 * subscription re-creates its channel, QoS and consumers. A delivery from a channel that is
 * gone is marked settled without touching the channel: RabbitMQ already requeued it.
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { DeliveryAlreadySettledError } from '../../errors/broker-errors.js';
import type { ConsumeOptions, Delivery, DeliveryHandler, Subscription } from '../broker.js';

export interface SubscriptionHost {
  readonly useGlobalQos: boolean;
  onSubscriptionError(err: Error): void;
  onSubscriptionCancelled(sub: AmqpSubscription): void;
  onSubscriptionClosed(sub: AmqpSubscription): void;
  /** The broker closed this subscription's channel (consumer timeout, a protocol error) while the connection lives. */
  onSubscriptionChannelLost(sub: AmqpSubscription, channel: Channel): void;
}

export class AmqpSubscription implements Subscription {
  #queues: string[];
  #prefetch: number;
  #channel: Channel | null = null;
  readonly #tags = new Map<string, string>(); // queue -> consumerTag
  #cancelled = false;
  /** Last delivery time, for liveness reports. */
  lastDeliveryAt: number | null = null;

  constructor(
    private readonly host: SubscriptionHost,
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
    return this.#channel !== null && !this.#cancelled;
  }

  async reopen(connection: ChannelModel): Promise<void> {
    if (this.#cancelled) return;
    const channel = await connection.createChannel();
    channel.on('error', (err: Error) => this.host.onSubscriptionError(err));
    channel.on('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = null;
      if (!this.#cancelled) this.host.onSubscriptionChannelLost(this, channel);
    });
    this.#channel = channel;
    this.#tags.clear();
    if (!this.options.noAck) await channel.prefetch(this.#prefetch, this.host.useGlobalQos);
    for (const q of this.#queues) await this.#consumeOne(channel, q);
  }

  async setPrefetch(count: number): Promise<void> {
    this.#prefetch = count;
    if (this.#channel && !this.options.noAck) await this.#channel.prefetch(count, this.host.useGlobalQos);
  }

  async addQueue(queue: string): Promise<void> {
    if (this.#queues.includes(queue)) return;
    this.#queues.push(queue);
    if (this.#channel) await this.#consumeOne(this.#channel, queue);
  }

  async removeQueue(queue: string): Promise<void> {
    this.#queues = this.#queues.filter((q) => q !== queue);
    const tag = this.#tags.get(queue);
    this.#tags.delete(queue);
    if (tag && this.#channel) await this.#channel.cancel(tag);
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.host.onSubscriptionClosed(this);
    const channel = this.#channel;
    if (!channel) return;
    for (const tag of this.#tags.values()) await channel.cancel(tag).catch(() => undefined);
    this.#tags.clear();
  }

  /** The server cancelled our consumers: drop the channel (RabbitMQ requeues what it held) and consume again. */
  async restart(connection: ChannelModel): Promise<void> {
    const old = this.#channel;
    this.#channel = null;
    if (old) await old.close().catch(() => undefined);
    await this.reopen(connection);
  }

  /** Closes the channel: anything unacknowledged is requeued by RabbitMQ. */
  async close(): Promise<void> {
    this.#cancelled = true;
    const channel = this.#channel;
    this.#channel = null;
    if (channel) await channel.close().catch(() => undefined);
  }

  async #consumeOne(channel: Channel, queue: string): Promise<void> {
    const ok = await channel.consume(queue, (msg) => {
      if (msg === null) {
        // the server cancelled the consumer (queue deleted / failover): let the broker re-subscribe
        if (this.#channel === channel && !this.#cancelled) this.host.onSubscriptionCancelled(this);
        return;
      }
      this.#deliver(channel, queue, msg);
    }, { noAck: this.options.noAck === true, exclusive: this.options.exclusive === true });
    this.#tags.set(queue, ok.consumerTag);
  }

  #deliver(channel: Channel, queue: string, msg: ConsumeMessage): void {
    this.lastDeliveryAt = Date.now();
    let settled = this.options.noAck === true;
    const p = msg.properties;
    const live = () => this.#channel === channel;
    const settle = (how: string): boolean => {
      if (settled) throw new DeliveryAlreadySettledError(how);
      settled = true;
      return live();
    };
    const delivery: Delivery = {
      body: msg.content,
      properties: {
        contentType: p.contentType ?? '',
        contentEncoding: p.contentEncoding ?? '',
        headers: (p.headers ?? {}) as Record<string, unknown>,
        correlationId: p.correlationId,
        replyTo: p.replyTo,
        deliveryMode: p.deliveryMode,
        priority: p.priority,
        expiration: p.expiration,
        messageId: p.messageId,
      },
      queue,
      exchange: msg.fields.exchange,
      routingKey: msg.fields.routingKey,
      redelivered: msg.fields.redelivered,
      get settled() {
        return settled || !live();
      },
      ack: () => {
        if (settle('ack')) channel.ack(msg);
      },
      reject: (requeue: boolean) => {
        if (settle(requeue ? 'reject(requeue)' : 'reject')) channel.reject(msg, requeue);
      },
    };
    try {
      this.onDelivery(delivery);
    } catch (err) {
      this.host.onSubscriptionError(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
