/**
 * Celery 5's `rpc://` backend. Each client owns one reply queue (durable, auto-delete,
 * `x-expires` = result expiry) whose name goes into every task's `reply_to`; workers publish
 * each state change to the default exchange with routing key = `reply_to` and
 * `correlation_id` = task id. The client keeps the latest document per task. Results of
 * tasks sent by other processes are never seen here (as in Celery). No chords.
 */
import type { Broker, Subscription } from '../broker/broker.js';
import { asResultMeta, type ResultMeta } from '../protocol/result-meta.js';
import { isReady } from '../protocol/states.js';
import type { CodecRegistry } from '../serialization/codec-registry.js';
import { newId } from '../util/ids.js';
import type { ResultBackend, StoreTarget, WaitOptions } from './result-backend.js';
import { Waiters } from './waiters.js';

export interface RpcBackendOptions {
  broker: Broker;
  codecs: CodecRegistry;
  /** Reply queue expiry in seconds (`result_expires`). @defaultValue 86400 */
  expiresSeconds?: number;
  /** Latest documents kept in memory for `get()`. @defaultValue 100000 */
  cacheSize?: number;
  onError?: (err: Error) => void;
}

export class RpcBackend implements ResultBackend {
  readonly kind = 'rpc';
  readonly supportsChords = false;
  readonly #options: RpcBackendOptions;
  readonly #oid = newId();
  readonly #latest = new Map<string, ResultMeta>();
  readonly #waiters = new Waiters();
  #preparing: Promise<string> | null = null;
  #subscription: Subscription | null = null;

  constructor(options: RpcBackendOptions) {
    this.#options = options;
  }

  prepareClient(): Promise<string> {
    this.#preparing ??= this.#declareReplyQueue().catch((err: unknown) => {
      this.#preparing = null;
      throw err;
    });
    return this.#preparing;
  }

  async store(meta: ResultMeta, target: StoreTarget): Promise<void> {
    if (!target.replyTo) return;
    // Celery's rpc results are exactly these fields: no date_done, group_id or result_extended fields
    const doc = { task_id: meta.task_id, status: meta.status, result: meta.result, traceback: meta.traceback, children: meta.children };
    const codec = this.#options.codecs.get('json');
    await this.#options.broker.publish({ exchange: '', routingKey: target.replyTo }, {
      body: codec.encode(doc),
      properties: {
        contentType: codec.contentType,
        contentEncoding: codec.contentEncoding,
        headers: {},
        correlationId: target.correlationId,
        deliveryMode: 1,
        priority: 0,
      },
    });
  }

  async get(taskId: string): Promise<ResultMeta | null> {
    return this.#latest.get(taskId) ?? null;
  }

  async wait(taskId: string, options: WaitOptions = {}): Promise<ResultMeta> {
    await this.prepareClient();
    const current = this.#latest.get(taskId);
    if (current && isReady(current.status)) return current;
    if (current) options.onUpdate?.(current);
    return this.#waiters.add(taskId, options);
  }

  async forget(taskId: string): Promise<void> {
    this.#latest.delete(taskId);
  }

  /** rpc keeps no documents: true once this client received a state for the id. */
  async exists(taskId: string): Promise<boolean> {
    return this.#latest.has(taskId);
  }

  async close(): Promise<void> {
    this.#waiters.rejectAll(new Error('result backend closed'));
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = null;
  }

  async #declareReplyQueue(): Promise<string> {
    const { broker } = this.#options;
    // durable + auto-delete + x-expires, as Celery ≥ 5.6 declares it: RabbitMQ 4.3 refuses
    // transient non-exclusive queues, and the queue still goes when its consumer does
    await broker.declareQueue({
      name: this.#oid,
      durable: true,
      autoDelete: true,
      arguments: { 'x-expires': (this.#options.expiresSeconds ?? 86_400) * 1000 },
    });
    this.#subscription = await broker.consume([this.#oid], (d) => {
      try {
        const meta = asResultMeta(this.#options.codecs.decode(d.properties.contentType, d.body));
        if (!meta) throw new Error(`reply queue received something that is not a result (correlation_id ${d.properties.correlationId})`);
        this.#remember(meta);
        this.#waiters.deliver(meta);
      } catch (err) {
        this.#options.onError?.(err as Error);
      }
    }, { prefetch: 0, noAck: true });
    return this.#oid;
  }

  #remember(meta: ResultMeta): void {
    this.#latest.delete(meta.task_id);
    this.#latest.set(meta.task_id, meta);
    const max = this.#options.cacheSize ?? 100_000;
    if (this.#latest.size > max) this.#latest.delete(this.#latest.keys().next().value!);
  }
}
