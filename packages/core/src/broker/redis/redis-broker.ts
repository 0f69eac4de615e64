/**
 * The Redis transport, wire-compatible with kombu's (what Python Celery uses on Redis):
 * - a queue is a list per priority step (`name`, `name\x06\x163`...), producers LPUSH the JSON
 *   envelope, consumers BRPOP across their queues, lowest priority number first;
 * - exchanges are emulated: bindings live in `_kombu.binding.<exchange>` sets (direct and topic
 *   routing read them), fanout exchanges (pidbox, events) are PUB/SUB on `/<db>.<exchange>`;
 * - acks are emulated: a delivered message is recorded in the `unacked` hash and the
 *   `unacked_index` zset until it is acked; any consumer puts back messages older than the
 *   visibility timeout (under the `unacked_mutex`), so a worker that died loses nothing.
 * Exchange types and exchange-to-exchange bindings are known per process, as in kombu.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { RedisConnection } from '../../backends/redis-connection.js';
import { BufferFullError, ConnectionClosedError, TlsError } from '../../errors/broker-errors.js';
import { ConfigurationError } from '../../errors/task-errors.js';
import type { OutgoingMessage, Route } from '../../protocol/message.js';
import { readSecret } from '../../tls/secret-source.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type {
  BindingSpec, Broker, BrokerCapabilities, BrokerEvents, BrokerState, BrokerStats, ConsumeOptions, DeliveryHandler, ExchangeBindingSpec, ExchangeSpec, QueueSpec, Subscription,
} from '../broker.js';
import { topicMatches } from '../memory/topic-match.js';
import { resolveSettings, type RedisBrokerOptions, type RedisBrokerSettings } from './redis-broker-options.js';
import { stringifyEnvelope, toEnvelope } from './redis-envelope.js';
import {
  SEP, bindingKey, bindingMember, fanoutChannel, fanoutPrefix, fanoutSubscribePattern, parseBindingMember, priorityStep, queueKeyForStep,
  topicPattern, topicPatternMatches,
} from './redis-keys.js';
import { POP_MANY, ROUTE_DIRECT, runScript } from './redis-scripts.js';
import { UnackedIndex } from './redis-unacked.js';
import { waitReady } from './wait-ready.js';
import { RedisSubscription } from './redis-subscription.js';
import { parseRedisBrokerUrl, type RedisBrokerUrl } from './redis-url.js';

export type { RedisBrokerOptions, RedisBrokerSettings } from './redis-broker-options.js';

type ExchangeType = ExchangeSpec['type'];

export class RedisBroker implements Broker {
  readonly kind = 'redis';
  /** kombu's Redis transport: no exchange-to-exchange bindings, lowest priority number first, no message TTL. */
  readonly capabilities: BrokerCapabilities = Object.freeze({
    exchangeTypes: Object.freeze(['direct', 'topic', 'fanout'] as const),
    exchangeBindings: false,
    priorities: false,
    perMessageTtl: false,
    nativeDelayedDelivery: false,
    livePrefetch: true,
    shared: true,
  });
  readonly displayUrl: string;
  readonly events = new TypedEmitter<BrokerEvents>();
  readonly settings: RedisBrokerSettings;
  /** CLIENT SETNAME of this broker's connections (its consumers add a suffix), to find them in CLIENT LIST. */
  readonly connectionName = `celeriac-${randomUUID().slice(0, 8)}`;
  /** @internal kombu's unacked hash and index. */
  readonly unacked: UnackedIndex;
  #state: BrokerState = 'idle';
  readonly #options: RedisBrokerOptions;
  readonly #url: RedisBrokerUrl;
  readonly #fanoutPrefix: string;
  readonly #broadcast: Set<string>;
  #connection: RedisConnection | null = null;
  #client: Redis | null = null;
  #connecting: Promise<void> | null = null;
  #restoreTimer: NodeJS.Timeout | null = null;
  #restoring = false;
  /** Publishes not answered yet. */
  #waiting = 0;
  #attempts = 0;
  #lastError: Error | undefined;
  readonly #exchanges = new Map<string, ExchangeType>();
  readonly #declared = new Set<string>();
  /** Queues declared auto-delete or exclusive: deleted when their last consumer here goes. */
  readonly #volatile = new Set<string>();
  /** Queues this process deleted: a restore does not bring them back (RabbitMQ drops such messages too). */
  readonly #deleted = new Set<string>();
  /** queue → the binding members this process added (exchange, member), for deleteQueue. */
  readonly #bindings = new Map<string, Map<string, string>>();
  /** Queues bound to an exchange that pushes onto lists (not PUB/SUB). */
  readonly #listBound = new Set<string>();
  /** Queues bound to a PUB/SUB exchange: consuming them is a PSUBSCRIBE. */
  readonly #fanoutQueues = new Map<string, { exchange: string; routingKey: string }>();
  readonly #subscriptions = new Set<RedisSubscription>();
  readonly #stats: BrokerStats = {
    disconnects: 0, reconnects: 0, reconnectFailures: 0, consumerCancels: 0, undecodableHeaders: 0, lastDisconnectReason: null, lastDisconnectAt: null,
  };

  constructor(options: RedisBrokerOptions) {
    this.#options = options;
    this.#url = parseRedisBrokerUrl(options.url);
    if (this.#url.scheme === 'sentinel' && !options.masterName && !this.#url.masterName) {
      throw new ConfigurationError('a sentinel:// broker needs the master name: redisBroker: { masterName: "mymaster" } (kombu\'s master_name) or ?master_name=mymaster');
    }
    this.displayUrl = this.#url.displayUrl;
    this.settings = resolveSettings(options);
    const { visibilityTimeout } = this.settings;
    this.#fanoutPrefix = fanoutPrefix(options.fanoutPrefix ?? true, this.#url.db);
    this.unacked = new UnackedIndex({
      client: () => this.client,
      key: (n) => this.key(n),
      destinations: async (exchange, routingKey) => [...(await this.#lookup(exchange, routingKey))].filter((q) => !this.#deleted.has(q)),
      warn: (message) => this.events.emit('warning', message),
    }, { visibilityTimeout, mutexExpireSeconds: options.unackedMutexExpire ?? 300, ...(options.unackedRestoreLimit ? { restoreLimit: options.unackedRestoreLimit } : {}) });
    this.#broadcast = new Set(options.broadcastExchanges ?? ['celeryev']);
  }

  get state(): BrokerState {
    return this.#state;
  }

  stats(): BrokerStats {
    return { ...this.#stats };
  }

  async connect(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') throw new ConnectionClosedError('the Redis broker is closed');
    if (this.#client && this.#state !== 'connecting') return;
    this.#connecting ??= this.#open().catch((err: unknown) => {
      this.#connecting = null;
      if (this.#state === 'connecting') this.#setState('idle');
      throw err;
    });
    await this.#connecting;
  }

  async #open(): Promise<void> {
    this.#setState('connecting');
    const clientOptions: RedisOptions = { connectionName: this.connectionName };
    if (this.#url.scheme === 'sentinel') {
      clientOptions.sentinels = this.#url.sentinels;
      clientOptions.name = this.#options.masterName ?? this.#url.masterName!;
      clientOptions.db = this.#url.db;
      if (this.#url.username) clientOptions.username = this.#url.username;
      if (this.#url.password) clientOptions.password = this.#url.password;
      if (this.#options.sentinelPassword !== undefined) clientOptions.sentinelPassword = readSecret(this.#options.sentinelPassword, 'Sentinel password');
    }
    const connection = new RedisConnection({
      url: this.#url.url,
      ...(this.#options.tls !== undefined ? { tls: this.#options.tls } : {}),
      ...(this.#options.password !== undefined ? { password: this.#options.password } : {}),
      clientOptions,
      purpose: 'the redis:// broker',
      onError: (err) => this.#onClientError(err),
    });
    this.#connection = connection;
    const client = await connection.client;
    this.#watch(client);
    await connection.connect();
    await waitReady(client, this.#options.connectTimeoutMs ?? 30_000, (timeoutMs) => {
      const why = this.#connection?.fatal ?? this.#lastError;
      return why instanceof TlsError ? why : new ConnectionClosedError(`cannot connect to the broker at ${this.displayUrl}: ${why?.message ?? `no answer in ${timeoutMs} ms`}`);
    });
    this.#client = client;
    this.#setState('ready');
    const interval = this.#options.restoreIntervalSeconds ?? Math.min(10, this.settings.visibilityTimeout / 4);
    this.#restoreTimer = setInterval(() => void this.restoreVisible(), Math.max(100, interval * 1000));
    this.#restoreTimer.unref();
  }

  #watch(client: Redis): void {
    client.on('close', () => {
      if (this.#state !== 'ready') return;
      this.#stats.disconnects++;
      this.#stats.lastDisconnectReason = this.#lastError?.message ?? 'connection closed';
      this.#stats.lastDisconnectAt = Date.now();
      this.#attempts = 0;
      this.#setState('reconnecting');
      this.events.emit('disconnected', this.#lastError);
    });
    client.on('reconnecting', () => {
      if (this.#state !== 'reconnecting') return;
      this.#attempts++;
      if (this.#attempts > 1) {
        this.#stats.reconnectFailures++;
        this.events.emit('reconnect-failed', this.#attempts - 1, this.#lastError ?? new Error('connection refused'));
      }
    });
    client.on('ready', () => {
      if (this.#state !== 'reconnecting') return;
      this.#stats.reconnects++;
      this.#setState('ready');
      this.events.emit('reconnected', Math.max(1, this.#attempts));
      this.#lastError = undefined;
    });
  }

  #onClientError(err: Error): void {
    this.#lastError = err;
    if (err instanceof TlsError) this.events.emit('error', err);
  }

  /** @internal The command connection. */
  get client(): Redis {
    if (!this.#client) throw new ConnectionClosedError(this.#state === 'closed' ? 'the Redis broker is closed' : 'the Redis broker is not connected');
    return this.#client;
  }

  /** @internal A key or channel with the global key prefix. */
  key(name: string): string {
    return this.settings.prefix + name;
  }

  async declareQueue(spec: QueueSpec): Promise<void> {
    await this.#ready();
    // nothing to create on Redis: a list exists while it holds messages (as in kombu)
    this.#declared.add(spec.name);
    this.#deleted.delete(spec.name);
    if (spec.autoDelete === true || spec.exclusive === true) this.#volatile.add(spec.name);
  }

  async declareExchange(spec: ExchangeSpec): Promise<void> {
    await this.#ready();
    if (spec.name !== '') this.#exchanges.set(spec.name, spec.type);
  }

  async bindQueue(binding: BindingSpec): Promise<void> {
    await this.#ready();
    if (binding.exchange === '') return;
    const broadcast = this.#isBroadcast(binding.exchange);
    const type = this.#typeOf(binding.exchange);
    const pattern = type === 'topic' && !broadcast ? topicPattern(binding.routingKey) : '';
    const member = bindingMember({ routingKey: binding.routingKey, pattern, queue: binding.queue });
    await this.client.sadd(this.key(bindingKey(binding.exchange)), member);
    let mine = this.#bindings.get(binding.queue);
    if (!mine) this.#bindings.set(binding.queue, (mine = new Map()));
    mine.set(`${binding.exchange}${SEP}${member}`, binding.exchange);
    if (broadcast) this.#fanoutQueues.set(binding.queue, { exchange: binding.exchange, routingKey: binding.routingKey });
    else this.#listBound.add(binding.queue);
  }

  async bindExchange(_binding: ExchangeBindingSpec): Promise<void> {
    throw new ConfigurationError('the Redis broker has no exchange-to-exchange bindings, as kombu (capabilities.exchangeBindings is false)');
  }

  async inspectQueue(name: string): Promise<{ messageCount: number; consumerCount: number } | null> {
    await this.#ready();
    const consumers = [...this.#subscriptions].filter((s) => s.queues.includes(name)).length;
    const pipe = this.client.pipeline();
    for (const step of this.settings.steps) pipe.llen(this.key(queueKeyForStep(name, step)));
    pipe.smembers(this.key(bindingKey(name)));
    const replies = (await pipe.exec()) ?? [];
    let count = 0;
    for (const [err, n] of replies.slice(0, -1)) if (!err && typeof n === 'number') count += n;
    const selfBound = ((replies.at(-1)?.[1] as string[] | undefined) ?? []).some((m) => parseBindingMember(m)?.queue === name);
    if (count === 0 && !this.#declared.has(name) && !this.#fanoutQueues.has(name) && !selfBound && consumers === 0) return null;
    return { messageCount: count, consumerCount: consumers };
  }

  async deleteQueue(name: string): Promise<void> {
    await this.#ready();
    await this.#deleteQueue(name);
  }

  async #deleteQueue(name: string): Promise<void> {
    this.#deleted.add(name);
    const pipe = this.client.pipeline();
    for (const [k, exchange] of this.#bindings.get(name) ?? []) pipe.srem(this.key(bindingKey(exchange)), k.slice(exchange.length + SEP.length));
    for (const step of this.settings.steps) pipe.del(this.key(queueKeyForStep(name, step)));
    await pipe.exec();
    this.#bindings.delete(name);
    this.#declared.delete(name);
    this.#volatile.delete(name);
    this.#fanoutQueues.delete(name);
    this.#listBound.delete(name);
  }

  async deleteExchange(name: string): Promise<void> {
    await this.#ready();
    this.#exchanges.delete(name);
    // the binding set is shared with other processes: only the members this process added go
    const pipe = this.client.pipeline();
    for (const mine of this.#bindings.values()) {
      for (const [k, exchange] of mine) {
        if (exchange !== name) continue;
        pipe.srem(this.key(bindingKey(exchange)), k.slice(exchange.length + SEP.length));
        mine.delete(k);
      }
    }
    await pipe.exec();
  }

  async purgeQueue(name: string): Promise<number> {
    await this.#ready();
    const pipe = this.client.pipeline();
    for (const step of this.settings.steps) pipe.llen(this.key(queueKeyForStep(name, step))).del(this.key(queueKeyForStep(name, step)));
    const replies = (await pipe.exec()) ?? [];
    let n = 0;
    for (let i = 0; i < replies.length; i += 2) n += Number(replies[i]?.[1] ?? 0);
    return n;
  }

  async publish(route: Route, message: OutgoingMessage): Promise<void> {
    await this.#ready();
    // while Redis is unreachable publishes wait in ioredis' offline queue: bounded here
    const limit = this.#options.maxBuffer ?? 10_000;
    if (this.#state !== 'ready' && this.#waiting >= limit) throw new BufferFullError(limit);
    this.#waiting++;
    try {
      await this.#publish(route, message);
    } finally {
      this.#waiting--;
    }
  }

  async #publish(route: Route, message: OutgoingMessage): Promise<void> {
    const text = stringifyEnvelope(toEnvelope(message, route));
    const step = priorityStep(message.properties.priority, this.settings.steps);
    const client = this.client;
    if (route.exchange === '') {
      await client.lpush(this.key(queueKeyForStep(route.routingKey, step)), text);
      return;
    }
    if (this.#isBroadcast(route.exchange)) {
      await client.publish(this.key(fanoutChannel(this.#fanoutPrefix, route.exchange, route.routingKey, this.#options.fanoutPatterns ?? true)), text);
      return;
    }
    if (this.#typeOf(route.exchange) === 'direct') {
      const suffix = step ? `${SEP}${step}` : '';
      await runScript(client, ROUTE_DIRECT, [this.key(bindingKey(route.exchange))], [route.routingKey, text, this.settings.prefix, suffix, SEP]);
      return;
    }
    const pipe = client.multi();
    for (const q of await this.#lookup(route.exchange, route.routingKey)) pipe.lpush(this.key(queueKeyForStep(q, step)), text);
    await pipe.exec();
  }

  async consume(queues: readonly string[], onDelivery: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    await this.#ready();
    const sub = new RedisSubscription(this, queues, onDelivery, options);
    this.#subscriptions.add(sub);
    try {
      await sub.start();
    } catch (err) {
      this.#subscriptions.delete(sub);
      throw err;
    }
    // as kombu on its first poll: put back what a dead consumer left past the visibility timeout
    void this.restoreVisible();
    return sub;
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'closing') return;
    this.#setState('closing');
    if (this.#restoreTimer) clearInterval(this.#restoreTimer);
    await this.#connecting?.catch(() => undefined);
    for (const sub of [...this.#subscriptions]) await sub.close().catch((err: unknown) => this.events.emit('warning', `closing a consumer: ${(err as Error).message}`));
    this.#subscriptions.clear();
    const client = this.#client;
    this.#client = null;
    if (client) await client.quit().catch(() => client.disconnect());
    this.#setState('closed');
  }

  // ---- used by RedisSubscription ------------------------------------------------------------

  /**
   * @internal The channel patterns consuming this queue subscribes to (none for a list queue):
   * kombu's, plus `<channel>/*` for a queue bound with an empty key, so a fanout published with a
   * routing key reaches it too, as on RabbitMQ (kombu's own consumers miss those).
   */
  fanoutPatterns(queue: string): string[] {
    const f = this.#fanoutQueues.get(queue);
    if (!f) return [];
    const patterns = this.#options.fanoutPatterns ?? true;
    const main = this.key(fanoutSubscribePattern(this.#fanoutPrefix, f.exchange, f.routingKey, patterns));
    return f.routingKey === '' && patterns ? [main, `${main}/*`] : [main];
  }

  /**
   * @internal Whether consuming this queue reads its lists: every queue but one bound only to
   * PUB/SUB exchanges (a pidbox or event queue, which kombu only subscribes).
   */
  isListQueue(queue: string): boolean {
    return !this.#fanoutQueues.has(queue) || this.#listBound.has(queue);
  }

  /** @internal A subscription went away: auto-delete and exclusive queues it alone consumed are deleted. */
  async unsubscribe(sub: RedisSubscription): Promise<void> {
    this.#subscriptions.delete(sub);
    for (const q of sub.queues) {
      if (!this.#volatile.has(q) || [...this.#subscriptions].some((s) => s.queues.includes(q))) continue;
      if (this.#client) await this.#deleteQueue(q).catch(() => undefined);
    }
  }

  /**
   * @internal kombu's `restore_visible`, on a timer while this process consumes list queues:
   * what stayed unacked longer than the visibility timeout goes back to the front of its queue.
   */
  async restoreVisible(): Promise<number> {
    if (this.#restoring || this.#state !== 'ready' || ![...this.#subscriptions].some((s) => s.consumesLists)) return 0;
    this.#restoring = true;
    try {
      const restored = await this.unacked.restoreVisible();
      if (restored > 0) this.events.emit('warning', `restored ${restored} unacknowledged message(s) older than the visibility timeout (${this.settings.visibilityTimeout} s)`);
      return restored;
    } catch (err) {
      if (this.#state === 'ready') this.events.emit('warning', `restoring unacknowledged messages failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.#restoring = false;
    }
  }

  /** @internal POP_MANY: up to `max` items from `keys` (prefixed), recorded as unacked when `track`; flat [key, item, entry]... */
  async popMany(keys: readonly string[], max: number, track: boolean, batchKey: string, previousBatchKey: string): Promise<string[]> {
    const out = await runScript(this.client, POP_MANY, [...keys, this.key('unacked'), this.key('unacked_index'), batchKey], [max, Date.now() / 1000, track ? '1' : '0', previousBatchKey]);
    return Array.isArray(out) ? (out as string[]) : [];
  }

  /** @internal A popped item that will not be delivered goes back to the front of its list. */
  async pushBack(key: string, item: string): Promise<void> {
    await this.client.rpush(key, item);
  }

  /** @internal An item that is not a kombu envelope (counted, then delivered as opaque bytes). */
  countUndecodable(): void {
    this.#stats.undecodableHeaders++;
  }

  // ---- internals ---------------------------------------------------------------------------

  #isBroadcast(exchange: string): boolean {
    return this.#exchanges.get(exchange) === 'fanout' || this.#broadcast.has(exchange);
  }

  /** kombu's default for an exchange this process never declared is direct. */
  #typeOf(exchange: string): ExchangeType {
    return this.#exchanges.get(exchange) ?? 'direct';
  }

  /** kombu's `_lookup`: the queues a routing key reaches through an exchange (its binding set). */
  async #lookup(exchange: string, routingKey: string): Promise<Set<string>> {
    const out = new Set<string>();
    if (exchange === '') {
      if (routingKey) out.add(routingKey);
      return out;
    }
    const type = this.#typeOf(exchange);
    for (const m of await this.client.smembers(this.key(bindingKey(exchange)))) {
      const b = parseBindingMember(m);
      if (!b || !b.queue) continue;
      const hit = type === 'fanout' ? true
        : type === 'topic' ? (b.pattern ? topicPatternMatches(b.pattern, routingKey) : topicMatches(b.routingKey, routingKey))
          : b.routingKey === routingKey;
      if (hit) out.add(b.queue);
    }
    return out;
  }

  async #ready(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') throw new ConnectionClosedError('the Redis broker is closed');
    if (!this.#client) await this.connect();
  }

  #setState(next: BrokerState): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    this.events.emit('state', next, prev);
  }
}
