/**
 * One consumer on Redis, as a kombu channel consumes: its own connection blocks in BRPOP across
 * the list queues (kombu's key order, queues rotated round robin), but only while fewer than
 * `prefetch` deliveries are unsettled; queues bound to a fanout exchange are PSUBSCRIBEd on a
 * second connection. Each delivery is recorded in the `unacked` hash and index before it is
 * handed out; ack removes it, reject(requeue) puts it at the back of its queue, and whatever is
 * still unsettled when the subscription closes goes back to the front.
 */
import type { Redis } from 'ioredis';
import { DeliveryAlreadySettledError } from '../../errors/broker-errors.js';
import type { TypedEmitter } from '../../util/typed-emitter.js';
import type { BrokerEvents, ConsumeOptions, Delivery, DeliveryHandler, Subscription } from '../broker.js';
import type { RedisBrokerSettings } from './redis-broker-options.js';
import type { UnackedIndex } from './redis-unacked.js';
import { openEnvelope, parseEnvelope, type KombuEnvelope } from './redis-envelope.js';
import { brpopKeys, queueOfKey } from './redis-keys.js';

interface Unsettled {
  tag: string;
  /** The exact hash entry written, so a restore only moves this very delivery. */
  stored: string;
}

let consumers = 0;

/** What a consumer needs of its broker (the RedisBroker), kept narrow so neither imports the other. */
export interface RedisConsumerHost {
  readonly client: Redis;
  readonly settings: RedisBrokerSettings;
  readonly events: TypedEmitter<BrokerEvents>;
  readonly connectionName: string;
  readonly unacked: UnackedIndex;
  key(name: string): string;
  isListQueue(queue: string): boolean;
  fanoutPatterns(queue: string): string[];
  popMany(keys: readonly string[], max: number, track: boolean, batchKey: string, previousBatchKey: string): Promise<string[]>;
  pushBack(key: string, item: string): Promise<void>;
  countUndecodable(): void;
  unsubscribe(sub: RedisSubscription): Promise<void>;
}

export class RedisSubscription implements Subscription {
  #queues: string[];
  #prefetch: number;
  #cancelled = false;
  #closed = false;
  readonly #unacked = new Map<number, Unsettled>();
  #nextId = 1;
  #blocking: Redis | null = null;
  readonly #blockingName: string;
  #inBrpop = false;
  #batches = 0;
  /** The last batch that returned items: deleted by the next call (its reply arrived). */
  #lastBatchKey = '';
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #subscriber: Redis | null = null;
  /** Prefixed pattern → queue, for the fanout queues. */
  readonly #patterns = new Map<string, string>();
  #warnedUnreadable = false;

  constructor(
    private readonly broker: RedisConsumerHost,
    queues: readonly string[],
    private readonly onDelivery: DeliveryHandler,
    private readonly options: ConsumeOptions,
  ) {
    this.#queues = [...queues];
    this.#prefetch = options.prefetch;
    this.#blockingName = `${broker.connectionName}-c${++consumers}`;
  }

  get queues(): readonly string[] {
    return this.#queues;
  }

  get active(): boolean {
    return !this.#cancelled;
  }

  /** Whether this subscription reads list queues (and so takes part in visibility restores). */
  get consumesLists(): boolean {
    return !this.#cancelled && this.#listQueues().length > 0;
  }

  async start(): Promise<void> {
    for (const q of this.#queues) await this.#subscribeIfFanout(q);
    this.#loop = this.#run();
  }

  async setPrefetch(count: number): Promise<void> {
    this.#prefetch = count;
    this.#poke(false);
  }

  async addQueue(queue: string): Promise<void> {
    if (this.#queues.includes(queue)) return;
    this.#queues.push(queue);
    await this.#subscribeIfFanout(queue);
    this.#poke(true);
  }

  async removeQueue(queue: string): Promise<void> {
    this.#queues = this.#queues.filter((q) => q !== queue);
    for (const [pattern, q] of this.#patterns) {
      if (q !== queue) continue;
      this.#patterns.delete(pattern);
      await this.#subscriber?.punsubscribe(pattern);
    }
    this.#poke(true);
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#poke(true);
    await this.#loop;
    const sub = this.#subscriber;
    this.#subscriber = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
    await this.broker.unsubscribe(this);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.cancel();
    this.#closed = true;
    // kombu's restore_at_shutdown: what was never settled goes back to the front of its queue
    const left = [...this.#unacked.values()];
    this.#unacked.clear();
    for (const u of left.reverse()) {
      await this.broker.unacked.restore(u.tag, u.stored, false).catch((err: unknown) => this.broker.events.emit('warning', `could not put back ${u.tag}: ${(err as Error).message}`));
    }
    if (this.#lastBatchKey) await this.broker.client.del(this.#lastBatchKey).catch(() => undefined);
    const blocking = this.#blocking;
    this.#blocking = null;
    if (blocking) await blocking.quit().catch(() => blocking.disconnect());
  }

  // ---- the list loop -------------------------------------------------------------------------

  #listQueues(): string[] {
    return this.#queues.filter((q) => this.broker.isListQueue(q));
  }

  #windowOpen(): boolean {
    return this.options.noAck === true || this.#prefetch <= 0 || this.#unacked.size < this.#prefetch;
  }

  /** Wakes the loop; `rekey` also interrupts a running BRPOP so it is sent again with new keys. */
  #poke(rekey: boolean): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
    if (rekey && this.#inBrpop) void this.#unblock();
  }

  /** CLIENT UNBLOCK on our BRPOP connection (found by name); without the right, BRPOP times out instead. */
  async #unblock(): Promise<void> {
    try {
      const list = String(await this.broker.client.client('LIST'));
      const line = list.split('\n').find((l) => l.includes(` name=${this.#blockingName} `));
      const id = line ? /(?:^|\s)id=(\d+)/.exec(line)?.[1] : undefined;
      if (id) await this.broker.client.client('UNBLOCK', id);
    } catch {
      // no permission for CLIENT: the BRPOP ends at its timeout
    }
  }

  async #sleep(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      // a safety net: never sleep longer than one poll
      setTimeout(resolve, this.broker.settings.pollTimeoutSeconds * 1000).unref();
    });
    this.#wake = null;
  }

  async #run(): Promise<void> {
    let rotation = 0;
    while (!this.#cancelled) {
      const queues = this.#listQueues();
      if (queues.length === 0 || !this.#windowOpen()) {
        await this.#sleep();
        continue;
      }
      if (!this.#blocking) {
        this.#blocking = this.broker.client.duplicate({ connectionName: this.#blockingName });
        this.#blocking.on('error', () => undefined); // the command connection reports connection trouble
      }
      const start = rotation % queues.length;
      const rotated = [...queues.slice(start), ...queues.slice(0, start)];
      const keys = brpopKeys(rotated, this.broker.settings.steps).map((k) => this.broker.key(k));
      // busy queues: a batch in one atomic step (popped and recorded as unacked together)
      let batch: string[];
      const batchKey = this.broker.key(`_celeriac.batch.${this.#blockingName}.${++this.#batches}`);
      try {
        batch = await this.broker.popMany(keys, this.#room(), this.options.noAck !== true, batchKey, this.#lastBatchKey);
        this.#lastBatchKey = batch.length > 0 ? batchKey : '';
      } catch (err) {
        if (this.#cancelled) break;
        this.broker.events.emit('warning', `reading ${queues.join(', ')} failed: ${(err as Error).message}`);
        await this.#sleep();
        continue;
      }
      if (batch.length > 0) {
        let last = '';
        for (let i = 0; i + 2 < batch.length; i += 3) {
          const [key, item, stored] = [batch[i]!, batch[i + 1]!, batch[i + 2]!];
          const queue = queueOfKey(key.slice(this.broker.settings.prefix.length));
          last = queue;
          const env = this.#envelopeOf(queue, item);
          if (this.#cancelled) {
            if (stored) await this.broker.unacked.restore(env.properties.delivery_tag, stored, false).catch(() => undefined);
            else await this.broker.pushBack(key, item).catch(() => undefined);
            continue;
          }
          this.#deliver(queue, env, stored === '' ? (this.options.noAck === true ? null : this.#record(env, item)) : stored);
        }
        const at = rotated.indexOf(last);
        if (at >= 0) rotation = (start + at + 1) % queues.length;
        continue;
      }
      // nothing waiting: block in BRPOP, as kombu does
      if (this.#cancelled) break;
      if (!this.#blocking) {
        this.#blocking = this.broker.client.duplicate({ connectionName: this.#blockingName });
        this.#blocking.on('error', () => undefined); // the command connection reports connection trouble
      }
      let popped: [string, string] | null;
      this.#inBrpop = true;
      try {
        popped = await this.#blocking.brpop(...keys, this.broker.settings.pollTimeoutSeconds);
      } catch (err) {
        if (this.#cancelled) break;
        if (!/Connection is closed/.test((err as Error).message)) this.broker.events.emit('warning', `BRPOP failed: ${(err as Error).message}`);
        await this.#sleep();
        continue;
      } finally {
        this.#inBrpop = false;
      }
      if (!popped) continue;
      const [prefixedKey, item] = popped;
      if (this.#cancelled) {
        await this.broker.pushBack(prefixedKey, item).catch(() => undefined);
        break;
      }
      const queue = queueOfKey(prefixedKey.slice(this.broker.settings.prefix.length));
      // round robin: the queue that just delivered goes last next time
      const at = rotated.indexOf(queue);
      if (at >= 0) rotation = (start + at + 1) % queues.length;
      const env = this.#envelopeOf(queue, item);
      this.#deliver(queue, env, this.options.noAck === true ? null : this.#record(env, item));
    }
  }

  /** How many more deliveries the window allows (batches are capped at 100). */
  #room(): number {
    if (this.options.noAck === true || this.#prefetch <= 0) return 100;
    return Math.max(1, Math.min(100, this.#prefetch - this.#unacked.size));
  }

  /** Records a BRPOPed delivery in the unacked hash and index as kombu does; returns the entry. */
  #record(env: KombuEnvelope, item: string): string {
    const info = env.properties.delivery_info;
    const exchange = typeof info.exchange === 'string' ? info.exchange : '';
    const routingKey = typeof info.routing_key === 'string' ? info.routing_key : '';
    // an item that was not an envelope is recorded as the envelope it is delivered as
    const text = parseEnvelope(item) ? item : JSON.stringify(env);
    const stored = `[${text}, ${JSON.stringify(exchange)}, ${JSON.stringify(routingKey)}]`;
    const tag = env.properties.delivery_tag;
    const key = (n: string) => this.broker.key(n);
    this.broker.client.multi().zadd(key('unacked_index'), Date.now() / 1000, tag).hset(key('unacked'), tag, stored).exec()
      .catch((err: unknown) => this.broker.events.emit('warning', `could not record delivery ${tag} as unacked: ${(err as Error).message}`));
    return stored;
  }

  #envelopeOf(queue: string, item: string): KombuEnvelope {
    const env = parseEnvelope(item);
    if (env) return env;
    this.broker.countUndecodable();
    if (!this.#warnedUnreadable) {
      this.#warnedUnreadable = true;
      this.broker.events.emit('warning', `a message on ${queue} is not a kombu JSON envelope; it is delivered as opaque bytes`);
    }
    return {
      body: Buffer.from(item, 'utf8').toString('base64'),
      'content-encoding': 'binary',
      'content-type': 'application/octet-stream',
      headers: {},
      properties: { body_encoding: 'base64', delivery_tag: `celeriac-unreadable-${Date.now()}-${this.#nextId}`, delivery_info: { exchange: '', routing_key: queue } },
    };
  }

  /** Hands out one delivery; `stored` is its unacked entry, null when it is not tracked (noAck, broadcasts, unreadable). */
  #deliver(queue: string, env: KombuEnvelope, stored: string | null): void {
    const opened = openEnvelope(env);
    const id = this.#nextId++;
    const tag = opened.deliveryTag;
    if (stored !== null) this.#unacked.set(id, { tag, stored });
    // a broadcast on a consumer that acks: ack() and reject() are accepted and do nothing
    let settled = this.options.noAck === true;
    const settle = (how: string): boolean => {
      if (settled) throw new DeliveryAlreadySettledError(how);
      settled = true;
      return this.#unacked.delete(id);
    };
    const warn = (what: string) => (err: unknown) => this.broker.events.emit('warning', `${what} ${tag}: ${(err as Error).message}`);
    const delivery: Delivery = {
      body: opened.body,
      properties: opened.properties,
      queue,
      exchange: opened.exchange,
      routingKey: opened.routingKey,
      redelivered: opened.redelivered,
      get settled() {
        return settled;
      },
      ack: () => {
        if (settle('ack')) void this.broker.unacked.remove(tag).catch(warn('could not ack'));
        this.#poke(false);
      },
      reject: (requeue: boolean) => {
        if (!settle(requeue ? 'reject(requeue)' : 'reject')) return;
        if (requeue) void this.broker.unacked.restore(tag, stored!, true).catch(warn('could not requeue'));
        else void this.broker.unacked.remove(tag).catch(warn('could not reject'));
        this.#poke(false);
      },
    };
    try {
      this.onDelivery(delivery);
    } catch (err) {
      this.broker.events.emit('error', err instanceof Error ? err : new Error(String(err)));
    }
  }

  // ---- fanout queues -------------------------------------------------------------------------

  async #subscribeIfFanout(queue: string): Promise<void> {
    const patterns = this.broker.fanoutPatterns(queue);
    if (patterns.length === 0) return;
    if (!this.#subscriber) {
      const sub = this.broker.client.duplicate({ connectionName: `${this.#blockingName}-sub` });
      sub.on('pmessage', (p: string, _channel: string, message: string) => this.#onBroadcast(p, message));
      sub.on('error', () => undefined); // the command connection reports connection trouble
      this.#subscriber = sub;
    }
    for (const p of patterns) this.#patterns.set(p, queue);
    await this.#subscriber.psubscribe(...patterns);
  }

  #onBroadcast(pattern: string, message: string): void {
    if (this.#cancelled) return;
    const queue = this.#patterns.get(pattern);
    if (queue === undefined) return;
    // broadcasts are fire-and-forget in kombu: nothing to restore, settling only closes the delivery
    this.#deliver(queue, this.#envelopeOf(queue, message), null);
  }
}
