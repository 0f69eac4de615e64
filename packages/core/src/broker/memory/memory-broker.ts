/**
 * An in-process broker with what Celery asks of one: task queues (FIFO, priorities with
 * `x-max-priority`, per-message TTL), the default exchange and direct / topic / fanout exchanges
 * (task routing, remote control, events), prefetch windows, ack / reject / requeue, redelivery
 * of what a closed subscription left unsettled. No exchange-to-exchange bindings and no
 * dead-letter exchanges: Celery declares neither (the worker's `<queue>.dlq` is a plain queue).
 * All state lives on the instance.
 */
import { ConnectionClosedError, PublishError } from '../../errors/broker-errors.js';
import { ConfigurationError } from '../../errors/task-errors.js';
import { encodeTable } from '../../protocol/field-table/encode-field-table.js';
import type { OutgoingMessage, Route } from '../../protocol/message.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type {
  BindingSpec, Broker, BrokerCapabilities, BrokerEvents, ExchangeBindingSpec, BrokerState, ConsumeOptions, DeliveryHandler, ExchangeSpec, QueueSpec, Subscription,
} from '../broker.js';
import { MemoryQueue, type StoredMessage } from './memory-queue.js';
import { MemorySubscription } from './memory-subscription.js';
import { topicMatches } from './topic-match.js';

interface MemoryExchange {
  type: ExchangeSpec['type'];
  bindings: { queue: string; routingKey: string }[];
}

export class MemoryBroker implements Broker {
  readonly kind = 'memory';
  readonly displayUrl = 'memory://';
  /** In-process: no broker-side delay, not shared with other processes; headers exchanges route like direct ones. */
  readonly capabilities: BrokerCapabilities = Object.freeze({
    exchangeTypes: Object.freeze(['direct', 'topic', 'fanout'] as const), exchangeBindings: false, priorities: true, perMessageTtl: true,
    nativeDelayedDelivery: false, livePrefetch: true, shared: false,
  });
  readonly events = new TypedEmitter<BrokerEvents>();
  #state: BrokerState = 'idle';
  readonly #queues = new Map<string, MemoryQueue>();
  readonly #exchanges = new Map<string, MemoryExchange>();
  readonly #subscriptions = new Set<MemorySubscription>();
  #dispatchScheduled = false;
  /** Scratch space for checking headers with the AMQP encoder (as large as amqplib's). */
  readonly #headerCheck = Buffer.alloc(65536);

  get state(): BrokerState {
    return this.#state;
  }

  async connect(): Promise<void> {
    if (this.#state === 'closed') throw new ConnectionClosedError('memory broker is closed');
    this.#setState('ready');
  }

  async declareQueue(spec: QueueSpec): Promise<void> {
    this.#assertOpen();
    if (!this.#queues.has(spec.name)) this.#queues.set(spec.name, new MemoryQueue(spec));
  }

  async declareExchange(spec: ExchangeSpec): Promise<void> {
    this.#assertOpen();
    if (spec.name === '' || this.#exchanges.has(spec.name)) return;
    this.#exchanges.set(spec.name, { type: spec.type, bindings: [] });
  }

  async bindQueue(binding: BindingSpec): Promise<void> {
    this.#assertOpen();
    const ex = this.#exchanges.get(binding.exchange);
    if (!ex) throw new PublishError(`NOT_FOUND - no exchange '${binding.exchange}'`);
    if (!this.#queues.has(binding.queue)) throw new PublishError(`NOT_FOUND - no queue '${binding.queue}'`);
    if (!ex.bindings.some((b) => b.queue === binding.queue && b.routingKey === binding.routingKey)) {
      ex.bindings.push({ queue: binding.queue, routingKey: binding.routingKey });
    }
  }

  async bindExchange(_binding: ExchangeBindingSpec): Promise<void> {
    throw new ConfigurationError('the memory broker has no exchange-to-exchange bindings (capabilities.exchangeBindings is false)');
  }

  async inspectQueue(name: string): Promise<{ messageCount: number; consumerCount: number } | null> {
    const q = this.#queues.get(name);
    if (!q) return null;
    let consumers = 0;
    for (const s of this.#subscriptions) if (s.queues.includes(name)) consumers++;
    return { messageCount: q.size, consumerCount: consumers };
  }

  async deleteQueue(name: string): Promise<void> {
    this.#queues.delete(name);
    for (const ex of this.#exchanges.values()) ex.bindings = ex.bindings.filter((b) => b.queue !== name);
  }

  async deleteExchange(name: string): Promise<void> {
    this.#exchanges.delete(name);
  }

  async purgeQueue(name: string): Promise<number> {
    return this.#queues.get(name)?.purge() ?? 0;
  }

  async publish(route: Route, message: OutgoingMessage): Promise<void> {
    this.#assertOpen();
    // headers RabbitMQ could not carry are refused here too, with the same error
    encodeTable(this.#headerCheck, message.properties.headers ?? {}, 0);
    const targets = this.#resolve(route);
    const ttl = message.properties.expiration === undefined ? NaN : Number(message.properties.expiration);
    const expiresAt = Number.isFinite(ttl) ? Date.now() + ttl : null;
    for (const queue of targets) {
      queue.push({
        body: message.body,
        properties: message.properties,
        exchange: route.exchange,
        routingKey: route.routingKey,
        redelivered: false,
        expiresAt,
      });
    }
    if (targets.length > 0) this.scheduleDispatch();
  }

  async consume(queues: readonly string[], onDelivery: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    this.#assertOpen();
    for (const q of queues) if (!this.#queues.has(q)) throw new PublishError(`NOT_FOUND - no queue '${q}'`);
    const sub = new MemorySubscription(this, queues, onDelivery, options);
    this.#subscriptions.add(sub);
    this.scheduleDispatch();
    return sub;
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closing');
    for (const sub of [...this.#subscriptions]) sub.closeNow();
    this.#subscriptions.clear();
    this.#setState('closed');
  }

  // ---- used by MemorySubscription -------------------------------------------------------

  /** @internal */
  queue(name: string): MemoryQueue | undefined {
    return this.#queues.get(name);
  }

  /** @internal A message comes back (reject with requeue, or its subscription went away). */
  requeue(queueName: string, message: StoredMessage): void {
    const q = this.#queues.get(queueName);
    if (!q) return;
    q.push({ ...message, redelivered: true }, true);
    this.scheduleDispatch();
  }

  /** @internal */
  unsubscribe(sub: MemorySubscription): void {
    this.#subscriptions.delete(sub);
    for (const name of sub.queues) {
      const q = this.#queues.get(name);
      if (q?.autoDelete && ![...this.#subscriptions].some((s) => s.queues.includes(name))) void this.deleteQueue(name);
    }
  }

  /** @internal Deliver on a later tick so publishers never run consumer code synchronously. */
  scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    setImmediate(() => {
      this.#dispatchScheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    const now = Date.now();
    let progress = true;
    while (progress) {
      progress = false;
      for (const sub of this.#subscriptions) {
        if (sub.pull(now)) progress = true;
      }
    }
  }

  #resolve(route: Route): MemoryQueue[] {
    if (route.exchange === '') {
      const q = this.#queues.get(route.routingKey);
      return q ? [q] : [];
    }
    const ex = this.#exchanges.get(route.exchange);
    if (!ex) throw new PublishError(`NOT_FOUND - no exchange '${route.exchange}'`);
    const matches = (key: string) => ex.type === 'fanout' || (ex.type === 'topic' ? topicMatches(key, route.routingKey) : key === route.routingKey);
    const out = new Set<MemoryQueue>();
    for (const b of ex.bindings) {
      const q = matches(b.routingKey) ? this.#queues.get(b.queue) : undefined;
      if (q) out.add(q);
    }
    return [...out];
  }

  #assertOpen(): void {
    if (this.#state === 'closed' || this.#state === 'closing') throw new ConnectionClosedError('memory broker is closed');
    if (this.#state === 'idle') this.#setState('ready');
  }

  #setState(next: BrokerState): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    this.events.emit('state', next, prev);
  }
}
