/**
 * The Broker seam: declare topology, publish (resolves when the broker has the message),
 * consume with a prefetch window, settle each delivery exactly once, close.
 * Implementations: amqp (RabbitMQ through amqplib) and memory (in-process).
 *
 * What differs between transports is declared, not guessed from `kind`: `capabilities`
 * says what the broker routes and honours, and optional members (`delayedDelivery`,
 * `liveness`, `stats`) are there only where the transport has them.
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
  /**
   * Queue arguments as kombu's `queue_arguments` spell them, whatever the transport
   * (`x-max-priority`, `x-expires`, `x-message-ttl`, `x-queue-type`...): RabbitMQ applies them,
   * a transport without them ignores those it cannot honour, as kombu's virtual transports do.
   * @defaultValue {}
   */
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

/**
 * What a transport can do beyond the task queue every broker has (declare, publish to a queue,
 * consume with a prefetch window, ack / requeue / drop, purge, inspect). Celery's code paths and
 * the conformance suite read these instead of the broker's `kind`. A broker that declares none
 * gets `DEFAULT_CAPABILITIES` (see `capabilitiesOf`).
 */
export interface BrokerCapabilities {
  /**
   * Exchange types the broker routes. Celery needs `direct` (task queues, routing key = queue
   * name), `fanout` (remote control, `celery.pidbox`) and `topic` (events, `celeryev`).
   */
  readonly exchangeTypes: readonly ExchangeSpec['type'][];
  /** `bindExchange` works (RabbitMQ's exchange-to-exchange bindings). */
  readonly exchangeBindings: boolean;
  /** A queue declared with `x-max-priority` serves higher `priority` first (RabbitMQ's order, 0-255). */
  readonly priorities: boolean;
  /** A message whose `expiration` (ms, per-message TTL) passed is dropped (or dead-lettered), never delivered. */
  readonly perMessageTtl: boolean;
  /**
   * The broker can park a message and bring it back to its queue later (`delayedDelivery()`):
   * the worker then republishes long ETA tasks instead of holding them unacknowledged.
   * True exactly when `delayedDelivery` is implemented.
   */
  readonly nativeDelayedDelivery: boolean;
  /**
   * `Subscription.setPrefetch` applies to the running consumer. False where a new window only
   * reaches consumers started later (RabbitMQ per-consumer QoS, which quorum queues need): the
   * worker then keeps a static window instead of raising it for held ETA tasks, as Celery does.
   */
  readonly livePrefetch: boolean;
  /**
   * Other processes reach the same queues (a broker server). False for an in-process broker:
   * the worker skips mingle, beat needs no cluster-wide lock.
   */
  readonly shared: boolean;
}

/** Broker-side delay of a delivery (see `BrokerCapabilities.nativeDelayedDelivery`). */
export interface DelayedDelivery {
  /** Republishes the delivery's message (unchanged, without `expiration`) to come back to its queue after `seconds`, then acks it. */
  park(delivery: Delivery, seconds: number): Promise<void>;
}

export interface DelayedDeliveryOptions {
  /** RabbitMQ: the type of the delay queues (Celery's `broker_native_delayed_delivery_queue_type`). @defaultValue 'quorum' */
  queueType?: 'quorum' | 'classic';
}

/** Whether the broker is connected and consuming, and when it last delivered (health checks). */
export interface BrokerLiveness {
  connected: boolean;
  /** Active consumers. */
  consumers: number;
  /** When the last delivery arrived (ms since epoch), or null. */
  lastDeliveryAt: number | null;
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
  /** What this transport can do; `DEFAULT_CAPABILITIES` when left out. */
  readonly capabilities?: BrokerCapabilities;
  /** Broker-side delayed delivery, where `capabilities.nativeDelayedDelivery` is true. */
  delayedDelivery?(options?: DelayedDeliveryOptions): DelayedDelivery;
  /** Connection and consumer liveness, where the transport tracks it. */
  liveness?(): BrokerLiveness;
}
