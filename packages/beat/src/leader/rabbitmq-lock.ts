/**
 * Leader election on RabbitMQ itself, so a cluster of beats needs no extra service.
 *
 * The lock is an exclusive queue, `celeriac.beat.lock.<name>`, declared on a connection of its
 * own. RabbitMQ lets one connection at a time declare it; the others get RESOURCE_LOCKED and
 * try again every `retryMs`. The queue lives exactly as long as the connection that declared
 * it: when the leader stops, crashes or is killed, RabbitMQ deletes it and the next attempt of
 * a standby beat wins. A hung leader is noticed through heartbeats (about 2 × `heartbeatSeconds`).
 *
 * The lock's broker must be dedicated to it. After a connection loss the AmqpBroker replays
 * its topology (that is, re-declares the lock queue) on every reconnect attempt, so a former
 * leader keeps campaigning through its reconnect loop and gets the lock back only if it is free.
 */
import { AmqpBroker, TypedEmitter, type AmqpBrokerOptions, type Broker, type Logger } from '@celeriac/core';
import { LeaderLockError } from '../errors.js';
import type { LeaderLock, LeaderLockEvents } from './leader-lock.js';

export interface RabbitMqLockOptions {
  /** Broker URL (or cluster URLs); the lock opens its own connection. Give this or `broker`. */
  url?: string | readonly string[];
  /** A broker used only by this lock (its connection is the lock). Give this or `url`. */
  broker?: Broker;
  /** Schedule name: beats with the same name compete for queue `celeriac.beat.lock.<name>`. @defaultValue 'default' */
  name?: string;
  /** How often a standby beat tries to take the lock, ms. @defaultValue 2000 */
  retryMs?: number;
  /**
   * Heartbeat of the lock connection, seconds (with `url`). RabbitMQ drops a hung leader's
   * connection, and so frees the lock, after about two missed heartbeats; a busy event loop
   * that misses them loses the lock too.
   * @defaultValue 2
   */
  heartbeatSeconds?: number;
  /** Other connection settings (with `url`), for example the app's `amqp` options. @defaultValue {} */
  amqp?: Omit<AmqpBrokerOptions, 'url' | 'heartbeat'>;
  logger?: Logger;
}

export const RABBITMQ_LOCK_DEFAULTS = Object.freeze({
  name: 'default',
  retryMs: 2_000,
  heartbeatSeconds: 2,
});

/** Name of the lock queue of a schedule. */
export function lockQueueName(name: string): string {
  return `celeriac.beat.lock.${name}`;
}

export class RabbitMqLock implements LeaderLock {
  readonly events = new TypedEmitter<LeaderLockEvents>();
  readonly queue: string;
  readonly #broker: Broker;
  readonly #ownsBroker: boolean;
  readonly #retryMs: number;
  readonly #logger: Logger | undefined;
  /** The lock queue was declared once: the broker now re-declares it on every reconnect. */
  #held = false;
  #leader = false;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;

  constructor(options: RabbitMqLockOptions) {
    const name = options.name ?? RABBITMQ_LOCK_DEFAULTS.name;
    this.queue = lockQueueName(name);
    this.#retryMs = options.retryMs ?? RABBITMQ_LOCK_DEFAULTS.retryMs;
    this.#logger = options.logger;
    if (options.broker) {
      this.#broker = options.broker;
      this.#ownsBroker = false;
    } else if (options.url !== undefined) {
      this.#broker = new AmqpBroker({
        ...(options.amqp ?? {}),
        url: options.url,
        heartbeat: options.heartbeatSeconds ?? RABBITMQ_LOCK_DEFAULTS.heartbeatSeconds,
        reconnectMaxMs: Math.min(options.amqp?.reconnectMaxMs ?? this.#retryMs, this.#retryMs),
      });
      this.#ownsBroker = true;
    } else {
      throw new LeaderLockError('RabbitMqLock needs a broker URL (url) or a dedicated broker (broker)');
    }
  }

  get isLeader(): boolean {
    return this.#leader && this.#broker.state === 'ready';
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#broker.events.on('disconnected', this.#onDisconnected);
    this.#broker.events.on('reconnected', this.#onReconnected);
    this.#broker.events.on('error', this.#onBrokerError);
    await this.#attempt();
    this.#loop = this.#campaign(abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.#abort) return;
    this.#abort.abort();
    this.#abort = null;
    await this.#loop;
    this.#loop = null;
    this.#broker.events.off('disconnected', this.#onDisconnected);
    this.#broker.events.off('reconnected', this.#onReconnected);
    this.#broker.events.off('error', this.#onBrokerError);
    try {
      // closing the connection deletes the exclusive queue; on a shared broker, delete it
      if (this.#ownsBroker) await this.#broker.close();
      else if (this.#held && this.#broker.state === 'ready') await this.#broker.deleteQueue(this.queue);
    } catch (err) {
      this.events.emit('error', new LeaderLockError(`releasing ${this.queue} failed: ${(err as Error).message}`, { cause: err }));
    } finally {
      this.#held = false;
      this.#setLeader(false, 'stopped');
    }
  }

  async #campaign(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#retryMs, signal);
      if (!signal.aborted) await this.#attempt();
    }
  }

  async #attempt(): Promise<void> {
    // Once declared, the broker's reconnect loop re-declares the queue; while it reconnects,
    // a declare from here would start a second connection attempt.
    if (this.#held || this.#broker.state === 'reconnecting' || this.#broker.state === 'closing' || this.#broker.state === 'closed') return;
    try {
      await this.#broker.declareQueue({ name: this.queue, durable: false, exclusive: true, autoDelete: true });
      this.#held = true;
      this.#setLeader(true);
    } catch (err) {
      if (isResourceLocked(err)) return; // another beat leads
      this.events.emit('error', new LeaderLockError(`cannot take ${this.queue}: ${(err as Error).message}`, { cause: err }));
    }
  }

  readonly #onDisconnected = (): void => {
    this.#setLeader(false, 'connection to RabbitMQ lost');
  };

  readonly #onReconnected = (): void => {
    // the reconnect replayed the topology, lock queue included: it is ours again
    if (this.#held) this.#setLeader(true);
  };

  readonly #onBrokerError = (err: Error): void => {
    this.#logger?.debug(`beat lock ${this.queue}: ${err.message}`);
  };

  #setLeader(leader: boolean, reason = ''): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    if (leader) this.events.emit('acquired');
    else this.events.emit('lost', reason);
  }
}

/** amqplib's error for "another connection holds this exclusive queue" (405 RESOURCE_LOCKED). */
function isResourceLocked(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === 405 || (typeof e?.message === 'string' && e.message.includes('RESOURCE_LOCKED'));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
