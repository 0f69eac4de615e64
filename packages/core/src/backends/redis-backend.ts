/**
 * Celery's `redis://` result backend: documents at `celery-task-meta-<id>` written with
 * SETEX + PUBLISH on a channel of the same name; waiters SUBSCRIBE first, then GET once, so
 * nothing is polled. Chords use Celery's counter keys (`celery-taskset-meta-<gid>.j/.t/.s`)
 * so Python and Node workers can be members of the same chord.
 */
import type { Redis } from 'ioredis';
import { asResultMeta, type ResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import type { CodecRegistry } from '../serialization/codec-registry.js';
import { newId } from '../util/ids.js';
import type { ChordCompletion, ChordPart, ResultBackend, StoreTarget, WaitOptions } from './result-backend.js';
import { Waiters } from './waiters.js';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.js';

export interface RedisBackendOptions extends RedisConnectionOptions {
  codecs: CodecRegistry;
  /** Seconds a result is kept (`result_expires`); 0 keeps it forever. @defaultValue 86400 */
  expiresSeconds?: number;
}

const TASK_PREFIX = 'celery-task-meta-';
const GROUP_PREFIX = 'celery-taskset-meta-';

export class RedisBackend implements ResultBackend {
  readonly kind = 'redis';
  readonly supportsChords = true;
  readonly #options: RedisBackendOptions;
  readonly #connection: RedisConnection;
  #subscriber: Redis | null = null;
  #closed = false;
  readonly #waiters = new Waiters();
  readonly #oid = newId();

  constructor(options: RedisBackendOptions) {
    this.#options = options;
    this.#connection = new RedisConnection(options);
  }

  /** Connects now; rejects at once on a TLS problem (see RedisConnection.connect). */
  connect(): Promise<void> {
    return this.#connection.connect();
  }

  get displayUrl(): string {
    return this.#options.url.replace(/:\/\/([^@/]*)@/, '://***@');
  }

  async prepareClient(): Promise<string> {
    return this.#oid;
  }

  async store(meta: ResultMeta, _target: StoreTarget): Promise<void> {
    const key = TASK_PREFIX + meta.task_id;
    await this.#connection.run(async (client) => {
      if (meta.status !== TaskState.SUCCESS) {
        // as Celery: never overwrite a stored SUCCESS (a redelivered duplicate must not undo it)
        const existing = await client.get(key);
        if (existing && asResultMeta(this.#decode(existing))?.status === TaskState.SUCCESS) return;
      }
      await this.#set(client, key, this.#encode(meta));
    });
  }

  /** SETEX (SET when results never expire) + PUBLISH on a channel named like the key, as Celery writes. */
  async #set(client: Redis, key: string, text: string): Promise<void> {
    const ttl = this.#options.expiresSeconds ?? 86_400;
    const pipe = client.multi();
    if (ttl > 0) pipe.setex(key, ttl, text);
    else pipe.set(key, text);
    pipe.publish(key, text);
    await pipe.exec();
  }

  async get(taskId: string): Promise<ResultMeta | null> {
    const raw = await this.#connection.run((client) => client.get(TASK_PREFIX + taskId));
    return raw === null ? null : asResultMeta(this.#decode(raw));
  }

  async wait(taskId: string, options: WaitOptions = {}): Promise<ResultMeta> {
    const channel = TASK_PREFIX + taskId;
    const client = await this.#connection.run(async (c) => c);
    // close() rejected every waiter it knew of; one registered after it would wait forever
    if (this.#closed) throw new Error('result backend closed');
    const sub = this.#sub(client);
    const first = !this.#waiters.has(taskId);
    const promise = this.#waiters.add(taskId, options, () => {
      void sub.unsubscribe(channel).catch(() => undefined);
    });
    if (first) await sub.subscribe(channel);
    // GET after SUBSCRIBE: a result written in between is seen by one or the other
    const current = await this.get(taskId);
    if (current) this.#waiters.deliver(current);
    return promise;
  }

  async forget(taskId: string): Promise<void> {
    await this.#connection.run((client) => client.del(TASK_PREFIX + taskId));
  }

  async exists(taskId: string): Promise<boolean> {
    return (await this.#connection.run((client) => client.exists(TASK_PREFIX + taskId))) > 0;
  }

  /** `celery-taskset-meta-<gid>` = `{"result": <group result tuple>}`, as Celery's `GroupResult.save()`. */
  async saveGroup(groupId: string, result: unknown): Promise<void> {
    await this.#connection.run((client) => this.#set(client, GROUP_PREFIX + groupId, this.#encode({ result })));
  }

  async restoreGroup(groupId: string): Promise<unknown> {
    const raw = await this.#connection.run((client) => client.get(GROUP_PREFIX + groupId));
    if (raw === null) return null;
    const doc = this.#decode(raw) as { result?: unknown } | null;
    return doc?.result ?? null;
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.#connection.run((client) => client.del(GROUP_PREFIX + groupId));
  }

  async chordInit(groupId: string, size: number): Promise<void> {
    const key = `${GROUP_PREFIX}${groupId}.s`;
    const ttl = this.#options.expiresSeconds ?? 86_400;
    await this.#connection.run(async (client) => {
      const pipe = client.multi();
      if (ttl > 0) pipe.setex(key, ttl, String(size));
      else pipe.set(key, String(size));
      pipe.publish(key, String(size));
      await pipe.exec();
    });
  }

  async chordPartDone(part: ChordPart): Promise<ChordCompletion | null> {
    const base = GROUP_PREFIX + part.groupId;
    const ttl = this.#options.expiresSeconds ?? 86_400;
    const member = this.#encode([1, part.taskId, part.meta.status, part.meta.result]);
    const score = part.groupIndex === null ? '+inf' : String(part.groupIndex);
    const client = await this.#connection.run(async (c) => c);
    const pipe = client.multi().zadd(`${base}.j`, score, member).zcount(`${base}.j`, '-inf', '+inf').get(`${base}.t`).get(`${base}.s`);
    if (ttl > 0) pipe.expire(`${base}.j`, ttl).expire(`${base}.t`, ttl).expire(`${base}.s`, ttl);
    const res = await pipe.exec();
    if (!res) return null;
    const count = Number(res[1]?.[1] ?? 0);
    const extra = Number(res[2]?.[1] ?? 0);
    const size = res[3]?.[1];
    if (size === null || size === undefined) return null; // no chord registered (or already done)
    if (count < Number(size) + extra) return null;
    // the last member to arrive completes the chord; DEL decides the winner if two race
    const [range, deleted] = (await client.multi().zrange(`${base}.j`, '0', '-1').del(`${base}.j`, `${base}.t`, `${base}.s`).exec()) ?? [];
    if (!range || !deleted || Number(deleted[1]) === 0) return null;
    const members = (range[1] as string[]).map((text) => {
      const tuple = this.#decode(text) as [number, string, string, unknown];
      return { taskId: tuple[1], status: tuple[2], result: tuple[3] };
    });
    return { members };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiters.rejectAll(new Error('result backend closed'));
    this.#subscriber?.disconnect();
    this.#subscriber = null;
    const client = await this.#connection.client.catch(() => null); // a failed load was reported to onError
    client?.disconnect();
  }

  #sub(client: Redis): Redis {
    if (this.#subscriber) return this.#subscriber;
    const sub = client.duplicate();
    sub.on('error', (err: Error) => this.#options.onError?.(err));
    sub.on('message', (_channel: string, text: string) => {
      try {
        const meta = asResultMeta(this.#decode(text));
        if (meta) this.#waiters.deliver(meta);
      } catch (err) {
        this.#options.onError?.(err as Error);
      }
    });
    this.#subscriber = sub;
    return sub;
  }

  #encode(value: unknown): string {
    return this.#options.codecs.get('json').encode(value).toString('utf8');
  }

  #decode(text: string): unknown {
    return this.#options.codecs.decode('application/json', Buffer.from(text, 'utf8'));
  }
}

/** ioredis is an optional peer dependency of @celeriac/core: only `redis://` needs it. */
