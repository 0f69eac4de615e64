/**
 * The Broker seam: declare topology, publish (resolves when the broker has the message),
 * consume with a prefetch window, settle each delivery exactly once, close.
 * Implementations: amqp (RabbitMQ through amqplib) and memory (in-process).
 */
import type { MessageProperties, OutgoingMessage, Route } from '../protocol/message.js';
import type { TypedEmitter } from '../util/typed-emitter.js';

export interface QueueSpec {
  name: string;
  /** @defaultValue true */
  durable?: boolean;
  /** @defaultValue false */
  autoDelete?: boolean;
  /** @defaultValue false */
  exclusive?: boolean;
  /** Queue arguments (`x-max-priority`, `x-expires`, `x-queue-type`...). @defaultValue {} */
  arguments?: Record<string, unknown>;
}

export interface ExchangeSpec {
  name: string;
  type: 'direct' | 'topic' | 'fanout' | 'headers';
  /** @defaultValue true */
  durable?: boolean;
  /** @defaultValue false */
  autoDelete?: boolean;
  arguments?: Record<string, unknown>;
}

export interface BindingSpec {
  queue: string;
  exchange: string;
  routingKey: string;
}

export interface Delivery {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly queue: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
  /** True once ack() or reject() was called (or the channel it came on is gone). */
  readonly settled: boolean;
  /** Acknowledge. A second settle throws `DeliveryAlreadySettledError`. */
  ack(): void;
  /** Reject; `requeue: false` drops it (or dead-letters it if the queue has a DLX). */
  reject(requeue: boolean): void;
}

/** An exchange-to-exchange binding (RabbitMQ extension): messages routed from `source` flow on to `destination`. */
export interface ExchangeBindingSpec {
  destination: string;
  source: string;
  routingKey: string;
}

export interface ConsumeOptions {
  /** Unacknowledged deliveries allowed across all queues of this subscription (0 = unlimited). */
  prefetch: number;
  /** Deliveries are settled by the broker at once (control and reply queues). @defaultValue false */
  noAck?: boolean;
  /** Only this consumer may consume the queue. @defaultValue false */
  exclusive?: boolean;
  /**
   * Delivery acknowledgement timeout for this consumer, ms (RabbitMQ's `x-consumer-timeout`
   * consumer argument, honoured from 3.12; older servers ignore it). @defaultValue the server's
   */
  consumerTimeoutMs?: number;
}

export type DeliveryHandler = (delivery: Delivery) => void;

export interface Subscription {
  readonly queues: readonly string[];
  /** Consuming right now (false while reconnecting, after cancel, or if the broker closed the channel). */
  readonly active: boolean;
  /** Changes the prefetch window (Celery raises it by one per held ETA task). */
  setPrefetch(count: number): Promise<void>;
  addQueue(queue: string): Promise<void>;
  removeQueue(queue: string): Promise<void>;
  /** Stops deliveries; unsettled deliveries can still be settled while the broker is connected. */
  cancel(): Promise<void>;
  /** Cancels and releases the channel: deliveries still unsettled go back to their queues. */
  close(): Promise<void>;
}

export type BrokerState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed';

export interface BrokerEvents {
  state: [state: BrokerState, previous: BrokerState];
  /** Connection established again after a loss; topology and consumers were restored. */
  reconnected: [attempt: number];
  /** The connection was lost; the reason has no password in it. */
  disconnected: [error: Error | undefined];
  /** One reconnect attempt failed (the broker keeps trying). */
  'reconnect-failed': [attempt: number, error: Error];
  /** The broker cancelled a consumer (queue deleted, consumer timeout on RabbitMQ 4.3); it consumes again. */
  'consumer-cancelled': [queue: string];
  blocked: [reason: string];
  unblocked: [];
  /** Something works, but not as configured: a declaration refused for lack of permission, TLS verification off. */
  warning: [message: string];
  error: [error: Error];
}

/** Connection counters since the broker object was created, for stats and metrics. */
export interface BrokerStats {
  /** Connections lost (not counting `close()`). */
  disconnects: number;
  /** Connections re-established after a loss. */
  reconnects: number;
  /** Reconnect attempts that failed. */
  reconnectFailures: number;
  /** Consumers the broker cancelled (and that were consumed again). */
  consumerCancels: number;
  /** Deliveries whose headers could not be read in full (they are dead-lettered by the worker). */
  undecodableHeaders: number;
  /** Why the connection was last lost (no password in it), or null. */
  lastDisconnectReason: string | null;
  /** When the connection was last lost (ms since epoch), or null. */
  lastDisconnectAt: number | null;
}

export interface Broker {
  /** Scheme of the broker ('amqp', 'memory'). */
  readonly kind: string;
  /** The URL with any password hidden, for banners and logs. */
  readonly displayUrl: string;
  readonly state: BrokerState;
  readonly events: TypedEmitter<BrokerEvents>;
  connect(): Promise<void>;
  declareQueue(spec: QueueSpec): Promise<void>;
  declareExchange(spec: ExchangeSpec): Promise<void>;
  bindQueue(binding: BindingSpec): Promise<void>;
  bindExchange(binding: ExchangeBindingSpec): Promise<void>;
  /** Returns null when the queue does not exist. */
  inspectQueue(name: string): Promise<{ messageCount: number; consumerCount: number } | null>;
  deleteQueue(name: string): Promise<void>;
  deleteExchange(name: string): Promise<void>;
  purgeQueue(name: string): Promise<number>;
  publish(route: Route, message: OutgoingMessage): Promise<void>;
  consume(queues: readonly string[], onDelivery: DeliveryHandler, options: ConsumeOptions): Promise<Subscription>;
  close(): Promise<void>;
  /** Connection counters (brokers without a connection may leave this out). */
  stats?(): BrokerStats;
}
