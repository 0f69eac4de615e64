/**
 * RabbitMQ broker over amqplib. The connection is a small state machine
 * (idle → connecting → ready ⇄ reconnecting → closing → closed): on any loss it reconnects
 * with exponential backoff and jitter (cycling through several URLs for a cluster), replays
 * the recorded topology, re-subscribes every consumer and flushes buffered publishes.
 * Certificates, keys and password files are read again on every connection attempt; a
 * certificate, login or configuration problem fails the first connect at once, in one line.
 */
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { AccessRefusedError, ConnectionClosedError } from '../../errors/broker-errors.js';
import { CeleriacError, toError } from '../../errors/base-error.js';
import type { OutgoingMessage, Route } from '../../protocol/message.js';
import { backoffDelay, sleep } from '../../util/backoff.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type {
  BindingSpec, Broker, BrokerCapabilities, BrokerEvents, BrokerStats, ExchangeBindingSpec, BrokerState, ConsumeOptions, DelayedDeliveryOptions,
  DeliveryHandler, ExchangeSpec, QueueSpec, Subscription,
} from '../broker.js';
import { patchedAmqplib, type PatchedAmqplib } from './amqplib-compat.js';
import { AckFlushScheduler } from './ack-batcher.js';
import { AmqpSubscription, type SubscriptionHost } from './amqp-subscription.js';
import { redactUrl, scrub, splitUrls, urlSecrets, withConnectionParams } from './amqp-url.js';
import type { AmqpBrokerOptions } from './amqp-broker-options.js';
import { connectTarget, usesTls, type ConnectTarget } from './connect-options.js';
import { declareEntry, type DeclareContext } from './declare-entry.js';
import { explainConnectError, isFatalConnectError } from './explain-amqp-error.js';
import { NativeDelayedDelivery } from './native-delayed-delivery.js';
import { Publisher } from './publisher.js';
import { Topology } from './topology.js';

export type { AmqpBrokerOptions } from './amqp-broker-options.js';

/** Refused declarations logged one by one before the rest are summed up in one line. */
const MAX_DECLARATION_WARNINGS = 5;

export class AmqpBroker implements Broker, SubscriptionHost {
  readonly kind = 'amqp';
  readonly displayUrl: string;
  readonly events = new TypedEmitter<BrokerEvents>();
  readonly useGlobalQos: boolean;
  readonly capabilities: BrokerCapabilities;
  readonly #delays = new Map<string, NativeDelayedDelivery>();
  readonly #urls: string[];
  #secrets: string[];
  readonly #amqplib: PatchedAmqplib;
  readonly #options: AmqpBrokerOptions;
  readonly #stats: BrokerStats = {
    disconnects: 0, reconnects: 0, reconnectFailures: 0, consumerCancels: 0, undecodableHeaders: 0, lastDisconnectReason: null, lastDisconnectAt: null,
  };
  readonly #topology = new Topology();
  readonly #publisher: Publisher;
  readonly #subscriptions = new Set<AmqpSubscription>();
  /** Subscriptions with acks waiting (also cancelled ones, which left #subscriptions). */
  readonly #acks = new AckFlushScheduler();
  #state: BrokerState = 'idle';
  #connection: ChannelModel | null = null;
  #confirm: ConfirmChannel | null = null;
  #ops: Channel | null = null;
  #connecting: Promise<void> | null = null;
  #urlIndex = 0;
  readonly #closing = new AbortController();
  readonly #declarer: DeclareContext;
  #refusedDeclarations = 0;
  /** The last connection target, for explaining errors. */
  #target: ConnectTarget | null = null;

  constructor(options: AmqpBrokerOptions) {
    this.#options = options;
    this.#urls = splitUrls(options.url);
    if (this.#urls.length === 0) throw new ConnectionClosedError('no broker URL given');
    for (const url of this.#urls) withConnectionParams(url, 0); // a bad frameMax fails here, not at connect
    this.#secrets = urlSecrets(this.#urls);
    if (typeof options.password === 'string') this.#secrets = [options.password, ...this.#secrets];
    // shown as amqps:// whenever TLS is on, also when TLS options made an amqp:// URL use it
    this.displayUrl = this.#urls.map((u) => redactUrl(usesTls(u, options.tls) ? u.replace(/^amqp:/i, 'amqps:') : u)).join(';');
    this.#amqplib = patchedAmqplib();
    this.#publisher = new Publisher(options.maxBuffer ?? 10_000, options.maxBufferBytes ?? 64 * 1024 * 1024);
    this.useGlobalQos = options.globalQos ?? true;
    this.capabilities = Object.freeze({
      exchangeTypes: Object.freeze(['direct', 'topic', 'fanout', 'headers'] as const), exchangeBindings: true, priorities: true, perMessageTtl: true,
      nativeDelayedDelivery: true, livePrefetch: this.useGlobalQos, shared: true,
    });
    this.#declarer = {
      passive: options.passive === true,
      topology: this.#topology,
      channel: () => this.#opsChannel(),
      dropChannel: (ch) => {
        if (this.#ops !== ch) return;
        this.#ops = null;
        void ch.close().catch(() => undefined);
      },
      warn: (message) => {
        // a user without configure rights gets one line per refused entity, up to a few
        const n = ++this.#refusedDeclarations;
        if (n <= MAX_DECLARATION_WARNINGS) this.events.emit('warning', this.#clean(new Error(message)).message);
        else if (n === MAX_DECLARATION_WARNINGS + 1) this.events.emit('warning', 'more declarations were refused for lack of permission and are used as they are (not logged one by one); set amqp.passive to check without declaring');
      },
    };
  }

  /** True in passive mode: durable topology is checked, never declared. */
  get passive(): boolean {
    return this.#declarer.passive;
  }

  get state(): BrokerState {
    return this.#state;
  }

  stats(): BrokerStats {
    return { ...this.#stats };
  }

  /** Celery 5.5's native delayed delivery topology (`celery_delayed_*`), one per queue type. */
  delayedDelivery(options: DelayedDeliveryOptions = {}): NativeDelayedDelivery {
    const type = options.queueType ?? 'quorum';
    let d = this.#delays.get(type);
    if (!d) this.#delays.set(type, (d = new NativeDelayedDelivery(this, type)));
    return d;
  }

  /** Liveness: connected, consuming, and when the last delivery arrived. */
  liveness(): { connected: boolean; consumers: number; lastDeliveryAt: number | null; buffered: number; bufferedBytes: number } {
    let last: number | null = null;
    let consumers = 0;
    for (const s of this.#subscriptions) {
      if (s.active) consumers++;
      if (s.lastDeliveryAt !== null && (last === null || s.lastDeliveryAt > last)) last = s.lastDeliveryAt;
    }
    return { connected: this.#state === 'ready', consumers, lastDeliveryAt: last, buffered: this.#publisher.buffered, bufferedBytes: this.#publisher.bufferedBytes };
  }

  connect(): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#state === 'closed' || this.#state === 'closing') return Promise.reject(new ConnectionClosedError('broker is closed'));
    if (this.#state === 'reconnecting') return this.#untilReady();
    if (!this.#connecting) {
      this.#connecting = this.#firstConnect().finally(() => {
        this.#connecting = null;
      });
    }
    return this.#connecting;
  }

  /** While the reconnect loop runs, callers wait for it instead of opening a second connection. */
  #untilReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onState = (state: BrokerState) => {
        if (state === 'ready') {
          this.events.off('state', onState);
          resolve();
        } else if (state === 'closed' || state === 'closing') {
          this.events.off('state', onState);
          reject(new ConnectionClosedError('broker is closed'));
        }
      };
      this.events.on('state', onState);
    });
  }

  async declareQueue(spec: QueueSpec): Promise<void> {
    await this.#declare({ kind: 'queue', spec });
  }

  async declareExchange(spec: ExchangeSpec): Promise<void> {
    if (spec.name === '') return;
    await this.#declare({ kind: 'exchange', spec });
  }

  async bindQueue(binding: BindingSpec): Promise<void> {
    await this.#declare({ kind: 'binding', spec: binding });
  }

  async bindExchange(binding: ExchangeBindingSpec): Promise<void> {
    await this.#declare({ kind: 'exchange-binding', spec: binding });
  }

  async inspectQueue(name: string): Promise<{ messageCount: number; consumerCount: number } | null> {
    await this.connect();
    // checkQueue on a missing queue kills the channel, so use a throwaway one
    const ch = await this.#connection!.createChannel();
    ch.on('error', () => undefined);
    try {
      const ok = await ch.checkQueue(name);
      return { messageCount: ok.messageCount, consumerCount: ok.consumerCount };
    } catch {
      return null;
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  async deleteQueue(name: string): Promise<void> {
    this.#topology.forgetQueue(name);
    await this.#onOps((ch) => ch.deleteQueue(name));
  }

  async deleteExchange(name: string): Promise<void> {
    this.#topology.forgetExchange(name);
    await this.#onOps((ch) => ch.deleteExchange(name));
  }

  async purgeQueue(name: string): Promise<number> {
    const ok = await this.#onOps((ch) => ch.purgeQueue(name));
    return ok.messageCount;
  }

  publish(route: Route, message: OutgoingMessage): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return Promise.reject(new ConnectionClosedError('broker is closed'));
    if (this.#state === 'idle') void this.connect().catch(() => undefined);
    return this.#publisher.publish(route, message);
  }

  async consume(queues: readonly string[], onDelivery: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    await this.connect();
    const sub = new AmqpSubscription(this, queues, onDelivery, options);
    this.#subscriptions.add(sub);
    try {
      await sub.reopen(this.#connection!);
    } catch (err) {
      // e.g. an exclusive consume refused: this subscription must not come back on reconnect
      this.#subscriptions.delete(sub);
      await sub.close();
      throw err;
    }
    return sub;
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#acks.flushNow(); // every recorded outcome reaches RabbitMQ before the connection goes
    this.#setState('closing');
    this.#closing.abort();
    for (const sub of this.#subscriptions) await sub.close();
    this.#subscriptions.clear();
    this.#publisher.failAll('broker closed');
    const conn = this.#connection;
    this.#connection = null;
    if (conn) await conn.close().catch(() => undefined);
    this.#setState('closed');
  }

  // ---- SubscriptionHost -------------------------------------------------------------------

  scheduleAckFlush(sub: AmqpSubscription): void {
    this.#acks.add(sub);
  }

  onSubscriptionError(err: Error): void {
    this.events.emit('error', this.#clean(err));
  }

  onUndecodableHeaders(): void {
    this.#stats.undecodableHeaders++;
  }

  onSubscriptionClosed(sub: AmqpSubscription): void {
    this.#subscriptions.delete(sub);
  }

  onSubscriptionChannelLost(sub: AmqpSubscription, _channel: Channel): void {
    // only a channel died (e.g. RabbitMQ's consumer timeout): consume again on a new one.
    // If the whole connection went, the reconnect loop re-subscribes everything instead.
    setTimeout(() => {
      const conn = this.#connection;
      if (!conn || this.#state !== 'ready' || !this.#subscriptions.has(sub) || sub.active) return;
      this.events.emit('error', new ConnectionClosedError(`a consumer channel on ${sub.queues.join(', ')} was closed by the broker; consuming again`));
      void sub.reopen(conn).catch((err: unknown) => this.events.emit('error', err as Error));
    }, 200);
  }

  onSubscriptionCancelled(sub: AmqpSubscription, queue: string): void {
    // The server cancelled a consumer (queue deleted, node lost, RabbitMQ 4.3's consumer
    // timeout): declare the topology again and consume that queue again on the same channel,
    // so deliveries still running on it can be settled.
    this.#stats.consumerCancels++;
    this.events.emit('consumer-cancelled', queue);
    setTimeout(() => {
      if (!this.#connection || this.#state !== 'ready' || !this.#subscriptions.has(sub)) return;
      void (async () => {
        try {
          await this.#topology.replay(await this.#opsChannel(), this.passive);
          await sub.resume(queue);
        } catch (err) {
          this.events.emit('error', this.#clean(toError(err)));
        }
      })();
    }, 500);
  }

  // ---- connection state machine ---------------------------------------------------------

  async #firstConnect(): Promise<void> {
    this.#setState('connecting');
    const deadline = Date.now() + (this.#options.connectTimeoutMs ?? 10_000);
    let attempt = 0;
    let lastError: unknown;
    while (Date.now() < deadline && !this.#closing.signal.aborted) {
      try {
        await this.#open();
        return;
      } catch (err) {
        lastError = err;
        if (isFatalConnectError(toError(err))) break; // a certificate or a password does not fix itself in seconds
        await sleep(this.#delay(attempt++), this.#closing.signal);
      }
    }
    this.#setState('idle');
    if (lastError !== undefined && isFatalConnectError(toError(lastError))) throw this.#clean(toError(lastError));
    const reason = lastError === undefined ? 'closed' : this.#clean(toError(lastError)).message;
    throw new ConnectionClosedError(`cannot connect to the broker at ${this.displayUrl}: ${reason}`, { cause: lastError === undefined ? undefined : this.#clean(toError(lastError)) });
  }

  async #open(): Promise<void> {
    const url = this.#urls[this.#urlIndex % this.#urls.length]!;
    this.#urlIndex++;
    let conn: ChannelModel;
    try {
      const target = connectTarget(url, this.#options, this.#options.heartbeat ?? 10, this.#amqplib.amqp.credentials);
      this.#target = target;
      for (const secret of target.secrets) if (secret.length >= 4 && !this.#secrets.includes(secret)) this.#secrets = [secret, ...this.#secrets];
      if (target.tls?.verify === 'none') this.events.emit('warning', `TLS certificate verification is OFF for ${target.peer.host}:${target.peer.port} (tls.verify = 'none'): anyone on the network path can read and change this connection`);
      conn = await this.#amqplib.amqp.connect(target.url, {
        ...target.socket,
        // without TCP_NODELAY, Nagle's algorithm and delayed ACKs add ~40 ms to a request/reply round trip
        noDelay: true,
        clientProperties: { connection_name: this.#options.connectionName ?? `celeriac ${process.pid}` },
      });
    } catch (err) {
      throw explainConnectError(toError(err), this.#target);
    }
    conn.on('error', () => undefined); // 'close' follows and drives the state machine
    try {
      const confirm = await conn.createConfirmChannel();
      let confirmError: Error | undefined;
      confirm.on('error', (err: Error) => (confirmError = err));
      confirm.on('close', () => this.#onConfirmClosed(conn, confirm, confirmError));
      await this.#topology.replay(confirm, this.passive);
      this.#connection = conn;
      this.#ops = null;
      for (const sub of this.#subscriptions) await sub.reopen(conn);
      this.#confirm = confirm;
      this.#publisher.attach(confirm);
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
    conn.on('close', (err?: Error) => this.#onConnectionClosed(conn, err));
    conn.on('blocked', (reason: string) => {
      this.#publisher.setBlocked(true);
      this.events.emit('blocked', reason);
    });
    conn.on('unblocked', () => {
      this.#publisher.setBlocked(false);
      this.events.emit('unblocked');
    });
    this.#setState('ready');
  }

  #onConfirmClosed(conn: ChannelModel, confirm: ConfirmChannel, error: Error | undefined): void {
    if (this.#confirm !== confirm) return;
    this.#confirm = null;
    const connectionAlive = this.#connection === conn && this.#state === 'ready';
    this.#publisher.detach(confirm, !connectionAlive, error && this.#clean(error));
    if (!connectionAlive) return;
    // A channel-level error (e.g. publishing to a missing exchange): open a new confirm channel.
    void conn.createConfirmChannel().then((fresh) => {
      let freshError: Error | undefined;
      fresh.on('error', (err: Error) => (freshError = err));
      fresh.on('close', () => this.#onConfirmClosed(conn, fresh, freshError));
      this.#confirm = fresh;
      this.#publisher.attach(fresh);
    }, () => undefined);
  }

  #onConnectionClosed(conn: ChannelModel, err?: Error): void {
    if (this.#connection !== conn) return;
    this.#connection = null;
    this.#ops = null;
    if (this.#confirm) {
      this.#publisher.detach(this.#confirm, true);
      this.#confirm = null;
    }
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#setState('reconnecting');
    const reason = err ? this.#clean(err) : undefined;
    this.#stats.disconnects++;
    this.#stats.lastDisconnectReason = reason?.message ?? 'connection closed';
    this.#stats.lastDisconnectAt = Date.now();
    this.events.emit('disconnected', reason);
    void this.#reconnectLoop();
  }

  async #reconnectLoop(): Promise<void> {
    for (let attempt = 0; !this.#closing.signal.aborted; attempt++) {
      await sleep(this.#delay(attempt), this.#closing.signal);
      if (this.#closing.signal.aborted) return;
      try {
        await this.#open();
        this.#stats.reconnects++;
        this.events.emit('reconnected', attempt + 1);
        return;
      } catch (err) {
        // try again (next URL first, for clusters)
        this.#stats.reconnectFailures++;
        this.events.emit('reconnect-failed', attempt + 1, this.#clean(toError(err)));
      }
    }
  }

  #delay(attempt: number): number {
    return backoffDelay(attempt, { baseMs: this.#options.reconnectBaseMs ?? 100, maxMs: this.#options.reconnectMaxMs ?? 2_000 });
  }

  async #declare(entry: Parameters<Topology['add']>[0]): Promise<void> {
    // auto-delete queues can vanish behind our back, so they are always declared again
    const volatile = entry.kind === 'queue' && (entry.spec.autoDelete === true || entry.spec.exclusive === true);
    if (!volatile && this.#topology.has(entry) && this.#state === 'ready') return;
    try {
      await declareEntry(this.#declarer, entry);
    } catch (err) {
      throw err instanceof AccessRefusedError ? err : this.#clean(toError(err));
    }
  }

  /**
   * Runs an RPC on the ops channel. amqplib marks the channel as waiting for a reply before it
   * encodes the request, so a request it cannot encode (a name over 255 bytes, a wrong type)
   * leaves the channel waiting for ever and every later call queued behind it: such a channel
   * is dropped, and the next call opens a new one.
   */
  async #onOps<T>(call: (ch: Channel) => Promise<T>): Promise<T> {
    const ch = await this.#opsChannel();
    try {
      return await call(ch);
    } catch (err) {
      if ((err instanceof TypeError || err instanceof RangeError) && this.#ops === ch) {
        this.#ops = null;
        void ch.close().catch(() => undefined);
      }
      throw err;
    }
  }

  /** A channel for declarations and admin calls; replaced if a channel error killed it. */
  async #opsChannel(): Promise<Channel> {
    await this.connect();
    if (this.#ops) return this.#ops;
    const conn = this.#connection;
    if (!conn) throw new ConnectionClosedError('broker connection lost');
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    ch.on('close', () => {
      if (this.#ops === ch) this.#ops = null;
    });
    this.#ops = ch;
    return ch;
  }

  /** The same error with any URL password taken out of its message. */
  #clean(err: Error): Error {
    const message = scrub(err.message, this.#secrets);
    if (message === err.message) return err;
    if (err instanceof CeleriacError) {
      err.message = message; // keep the class callers branch on
      return err;
    }
    const clean = new Error(message);
    clean.name = err.name;
    return clean;
  }

  #setState(next: BrokerState): void {
    const prev = this.#state;
    if (prev === next) return;
    this.#state = next;
    this.events.emit('state', next, prev);
  }
}
