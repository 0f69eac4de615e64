/**
 * The Redis client behind the redis backend: `rediss://` (or `tls` options) for TLS with a CA,
 * client certificate and key, passphrase and server name read from files, inline PEM or the
 * environment, and a password from a file or the environment in place of the URL's.
 *
 * Transient failures are retried for ever (an outage must not lose results). A TLS failure is
 * not: the client stops, the error is reported once in one line naming the file and the check,
 * and every later call fails with that same error instead of waiting for ever.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { TlsError } from '../errors/broker-errors.js';
import { ConfigurationError } from '../errors/task-errors.js';
import { explainTlsError, type TlsPeer } from '../tls/explain-tls-error.js';
import { loadTls, type LoadedTls } from '../tls/load-tls.js';
import { readSecret } from '../tls/secret-source.js';
import type { SecretSource, TlsOptions } from '../tls/tls-options.js';

export interface RedisConnectionOptions {
  url: string;
  /**
   * TLS settings, as Celery's `redis_backend_use_ssl`. `rediss://` URLs always use TLS; given
   * here (or `true`), `redis://` URLs use it too.
   * @defaultValue TLS with Node's public CAs for rediss://, none for redis://
   */
  tls?: TlsOptions | boolean;
  /** The password, in place of the URL's: inline, `{ file }` or `{ env }`. @defaultValue the URL's password */
  password?: SecretSource;
  onError?: (err: Error) => void;
  /**
   * More ioredis options (the Redis broker passes its sentinels, master name and db here). With
   * `sentinels` set, the URL is not given to ioredis. Typed loosely so that the published types
   * do not need ioredis, an optional peer. @defaultValue none
   */
  clientOptions?: object;
  /** What needs ioredis, for the error when it is missing. @defaultValue 'the redis:// result backend' */
  purpose?: string;
}

export class RedisConnection {
  /** Loaded on first use, not on import: ioredis alone adds ~20 MB to every process that imports core. */
  readonly client: Promise<Redis>;
  #fatal: Error | null = null;
  #tls: LoadedTls | null = null;
  readonly #peer: TlsPeer;

  constructor(private readonly options: RedisConnectionOptions) {
    const parsed = safeUrl(options.url);
    const secure = /^rediss:/i.test(options.url) || (options.tls !== undefined && options.tls !== false);
    const host = parsed?.hostname.replace(/^\[|\]$/g, '') ?? '127.0.0.1';
    const peer: TlsPeer = { what: 'Redis', host, port: Number(parsed?.port) || 6379, name: host };
    this.#peer = peer;
    this.client = (async () => {
      const extra: RedisOptions = {};
      if (secure) {
        this.#tls = loadTls(typeof options.tls === 'object' ? options.tls : {});
        extra.tls = this.#tls.options;
        peer.name = this.#tls.options.servername ?? host;
      }
      if (options.password !== undefined) extra.password = readSecret(options.password, 'Redis password');
      const { Redis } = await loadIoredis(options.purpose ?? 'the redis:// result backend');
      // maxRetriesPerRequest null: during an outage writes wait for the reconnect instead of failing
      const redisOptions: RedisOptions = {
        maxRetriesPerRequest: null, lazyConnect: true, enableReadyCheck: true, ...extra, ...(options.clientOptions as RedisOptions | undefined),
        retryStrategy: (times) => (this.#fatal ? null : Math.min(50 * times, 2000)),
      };
      const client = redisOptions.sentinels ? new Redis(redisOptions) : new Redis(options.url, redisOptions);
      client.on('error', (err: Error) => this.#onError(err));
      return client;
    })();
    // every call awaits the client and sees a failure itself; this only reports it once
    this.client.catch((err: unknown) => this.#report(err as Error));
  }

  /** The error that stopped the client for good (a TLS problem), or null. */
  get fatal(): Error | null {
    return this.#fatal;
  }

  /**
   * Connects now: resolves when Redis answers, or after a failure a retry can fix (the client
   * keeps retrying in the background); rejects at once on a TLS problem.
   */
  async connect(): Promise<void> {
    const client = await this.client;
    if (this.#fatal) throw this.#fatal;
    if (client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        client.off('ready', onReady);
        client.off('error', onError);
        if (err && this.#fatal) reject(this.#fatal);
        else resolve();
      };
      const onReady = () => done();
      const onError = (err: Error) => done(err);
      client.on('ready', onReady);
      client.on('error', onError);
      if (client.status === 'wait') client.connect().catch(() => undefined);
    });
  }

  /** Runs a call; if the client was stopped by a TLS problem, fails with that problem. */
  async run<T>(call: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.client;
    if (this.#fatal) throw this.#fatal;
    try {
      return await call(client);
    } catch (err) {
      throw this.#fatal ?? err;
    }
  }

  #onError(err: Error): void {
    if (this.#fatal) return;
    const tls = this.#tls ? explainTlsError(err, this.#tls, this.#peer) : null;
    if (tls) {
      this.#fatal = tls;
      this.#report(tls);
      return;
    }
    this.#report(err);
  }

  #report(err: Error): void {
    if (err instanceof TlsError && this.#fatal === null) this.#fatal = err;
    this.options.onError?.(err);
  }
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** ioredis is an optional peer dependency: a clear error when it is missing. */
export async function loadIoredis(purpose: string): Promise<{ Redis: typeof import('ioredis').Redis }> {
  try {
    return await import('ioredis');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new ConfigurationError(`${purpose} needs the ioredis package: npm install ioredis`, { cause: err });
  }
}
