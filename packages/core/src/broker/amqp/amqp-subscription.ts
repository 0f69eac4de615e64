/**
 * A consumer on one channel, over one or more queues, with a prefetch window.
 * It survives reconnects: the broker calls `reopen()` with the new connection and the
 * subscription re-creates its channel, QoS and consumers. A delivery from a channel that is
 * gone is marked settled without touching the channel: RabbitMQ already requeued it.
 */
import type { Channel, ChannelModel, ConsumeMessage, Message } from 'amqplib';
import { DeliveryAlreadySettledError } from '../../errors/broker-errors.js';
import { undecodableFields } from '../../protocol/field-table/field-value.js';
import type { MessageProperties } from '../../protocol/message.js';
import type { ConsumeOptions, Delivery, DeliveryHandler, Subscription } from '../broker.js';
import { AckBatcher } from './ack-batcher.js';
import { explainChannelError } from './explain-amqp-error.js';

export interface SubscriptionHost {
  readonly useGlobalQos: boolean;
  onSubscriptionError(err: Error): void;
  /** The server cancelled the consumer of `queue` (queue deleted, consumer timeout). */
  onSubscriptionCancelled(sub: AmqpSubscription, queue: string): void;
  /** A delivery arrived whose headers could not be read in full. */
  onUndecodableHeaders(): void;
  onSubscriptionClosed(sub: AmqpSubscription): void;
  /** The broker closed this subscription's channel (consumer timeout, a protocol error) while the connection lives. */
  onSubscriptionChannelLost(sub: AmqpSubscription, channel: Channel): void;
  /** Acks are waiting: call `flushAcks()` soon (once per event-loop turn), and before the connection closes. */
  scheduleAckFlush(sub: AmqpSubscription): void;
}

export class AmqpSubscription implements Subscription {
  #queues: string[];
  #prefetch: number;
  #channel: Channel | null = null;
  /** The acks waiting for the current channel (none with noAck). */
  #acks: AckBatcher | null = null;
  readonly #tags = new Map<string, string>(); // queue -> consumerTag
  #cancelled = false;
  /** basic.consume calls in flight: a channel error meanwhile is theirs to report. */
  #consuming = 0;
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

  /** True while `channel` is this subscription's channel; deliveries from an older one were requeued by RabbitMQ. */
  isCurrent(channel: Channel): boolean {
    return this.#channel === channel;
  }

  get active(): boolean {
    return this.#channel !== null && !this.#cancelled;
  }

  async reopen(connection: ChannelModel): Promise<void> {
    if (this.#cancelled) return;
    const channel = await connection.createChannel();
    // a refused consume is reported to its caller, explained; not here a second time
    channel.on('error', (err: Error) => {
      if (this.#consuming === 0) this.host.onSubscriptionError(err);
    });
    channel.on('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = null;
      this.#acks = null; // RabbitMQ requeued whatever was not acked
      if (!this.#cancelled) this.host.onSubscriptionChannelLost(this, channel);
    });
    this.#channel = channel;
    this.#acks = this.options.noAck ? null : new AckBatcher();
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
    if (!this.#channel) return;
    try {
      await this.#consumeOne(this.#channel, queue);
    } catch (err) {
      // refused (no read permission) or missing: the broker closed the channel, and the other
      // queues are consumed again on a new one (onSubscriptionChannelLost); not this one
      this.#queues = this.#queues.filter((q) => q !== queue);
      throw err;
    }
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

  /**
   * The server cancelled the consumer of `queue`: consume it again on the same channel, so the
   * deliveries still held from it (and from the other queues) can be settled as usual.
   */
  async resume(queue: string): Promise<void> {
    const channel = this.#channel;
    if (!channel || this.#cancelled || !this.#queues.includes(queue) || this.#tags.has(queue)) return;
    await this.#consumeOne(channel, queue);
  }

  /** Closes the channel (after sending the acks waiting): anything unacknowledged is requeued by RabbitMQ. */
  async close(): Promise<void> {
    this.flushAcks();
    this.#cancelled = true;
    const channel = this.#channel;
    this.#channel = null;
    if (channel) await channel.close().catch(() => undefined);
  }

  async #consumeOne(channel: Channel, queue: string): Promise<void> {
    this.#consuming++;
    const ok = await channel.consume(queue, (msg) => {
      if (msg === null) {
        // the server cancelled the consumer (queue deleted, failover, consumer timeout): let the broker re-subscribe
        if (this.#channel !== channel || this.#cancelled) return;
        this.#tags.delete(queue);
        this.host.onSubscriptionCancelled(this, queue);
        return;
      }
      this.#deliver(channel, queue, msg);
    }, {
      noAck: this.options.noAck === true, exclusive: this.options.exclusive === true,
      ...(this.options.consumerTimeoutMs !== undefined ? { arguments: { 'x-consumer-timeout': Math.round(this.options.consumerTimeoutMs) } } : {}),
    }).catch((err: unknown) => {
      throw explainChannelError(err instanceof Error ? err : new Error(String(err)), { op: 'consume', queue });
    }).finally(() => this.#consuming--);
    this.#tags.set(queue, ok.consumerTag);
  }

  /** The delivery's outcome is recorded: its ack goes out with the next flush, coalesced with others. */
  ack(channel: Channel, msg: Message): void {
    if (channel !== this.#channel || !this.#acks) return;
    if (this.#acks.ack(msg.fields.deliveryTag)) this.host.scheduleAckFlush(this);
  }

  reject(channel: Channel, msg: Message, requeue: boolean): void {
    if (channel !== this.#channel) return;
    channel.reject(msg, requeue);
    this.#acks?.settledNow(msg.fields.deliveryTag);
  }

  /** Sends the acks waiting, as few frames as the settled ranges allow (see AckBatcher). */
  flushAcks(): void {
    const channel = this.#channel;
    if (!channel || !this.#acks || this.#acks.pending === 0) return;
    for (const op of this.#acks.flush()) {
      try {
        channel.ack({ fields: { deliveryTag: op.tag } } as Message, op.multiple);
      } catch {
        return; // the channel is closing: RabbitMQ requeues what it did not get an ack for, as with a lost connection
      }
    }
  }

  #deliver(channel: Channel, queue: string, msg: ConsumeMessage): void {
    this.lastDeliveryAt = Date.now();
    this.#acks?.delivered(msg.fields.deliveryTag);
    const p = msg.properties;
    if (p.headers && undecodableFields(p.headers)) this.host.onUndecodableHeaders();
    const delivery = new AmqpDelivery(this, channel, msg, queue, this.options.noAck === true, {
      contentType: p.contentType ?? '',
      contentEncoding: p.contentEncoding ?? '',
      headers: (p.headers ?? {}) as Record<string, unknown>,
      correlationId: p.correlationId,
      replyTo: p.replyTo,
      deliveryMode: p.deliveryMode,
      priority: p.priority,
      expiration: p.expiration,
      messageId: p.messageId,
    });
    try {
      this.onDelivery(delivery);
    } catch (err) {
      this.host.onSubscriptionError(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/**
 * One delivery, settled once. A class rather than an object of closures: four closures per
 * message cost ~6 µs of worker CPU per task and kept the heap from settling (see apps/bench).
 */
class AmqpDelivery implements Delivery {
  readonly body: Buffer;
  readonly exchange: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
  #settled: boolean;

  constructor(
    private readonly subscription: AmqpSubscription,
    private readonly channel: Channel,
    private readonly msg: ConsumeMessage,
    readonly queue: string,
    noAck: boolean,
    readonly properties: MessageProperties,
  ) {
    this.body = msg.content;
    this.exchange = msg.fields.exchange;
    this.routingKey = msg.fields.routingKey;
    this.redelivered = msg.fields.redelivered;
    this.#settled = noAck;
  }

  get settled(): boolean {
    return this.#settled || !this.subscription.isCurrent(this.channel);
  }

  ack(): void {
    if (this.#settle('ack')) this.subscription.ack(this.channel, this.msg);
  }

  reject(requeue: boolean): void {
    if (this.#settle(requeue ? 'reject(requeue)' : 'reject')) this.subscription.reject(this.channel, this.msg, requeue);
  }

  /** Marks it settled (throws if it already was); true when the channel it came on is still ours. */
  #settle(how: string): boolean {
    if (this.#settled) throw new DeliveryAlreadySettledError(how);
    this.#settled = true;
    return this.subscription.isCurrent(this.channel);
  }
}
