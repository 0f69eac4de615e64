import { ConfigurationError } from '../../errors/task-errors.js';
import type { SecretSource, TlsOptions } from '../../tls/tls-options.js';
import { DEFAULT_PRIORITY_STEPS } from './redis-keys.js';

/** Options of the Redis transport; the names follow kombu's transport options. */
export interface RedisBrokerOptions {
  /** `redis://host:6379/0`, `rediss://...`, or `sentinel://host:26379;sentinel://...` (one or several). */
  url: string | readonly string[];
  /** TLS settings (Celery's `broker_use_ssl`); rediss:// always uses TLS. @defaultValue none for redis:// */
  tls?: TlsOptions | boolean;
  /** The password, in place of the URL's: inline, `{ file }` or `{ env }`. @defaultValue the URL's */
  password?: SecretSource;
  /**
   * Seconds a delivered message may stay unacknowledged before any consumer puts it back on its
   * queue (kombu's `visibility_timeout`). Keep it above your longest task and your longest ETA /
   * countdown, or those run twice. @defaultValue 3600
   */
  visibilityTimeout?: number;
  /** Prefix for every key and channel, as kombu's `global_keyprefix`. @defaultValue '' */
  globalKeyprefix?: string;
  /** Priority steps (kombu's `priority_steps`); the lowest number is served first. @defaultValue [0, 3, 6, 9] */
  prioritySteps?: readonly number[];
  /** kombu's `fanout_prefix`: true for `/{db}.`, a string of your own, or false for none. @defaultValue true */
  fanoutPrefix?: boolean | string;
  /** kombu's `fanout_patterns`: fanout routing keys become part of the channel. @defaultValue true */
  fanoutPatterns?: boolean;
  /**
   * Exchanges sent through PUB/SUB though declared as topic or direct: Celery makes its event
   * exchange fanout on Redis (the app passes its `eventExchange`). Fanout exchanges always are.
   * @defaultValue ['celeryev']
   */
  broadcastExchanges?: readonly string[];
  /** The Sentinel master's name (kombu's `master_name`); needed for sentinel:// URLs. */
  masterName?: string;
  /** Password of the Sentinels themselves, when they have one. @defaultValue none */
  sentinelPassword?: SecretSource;
  /** Seconds between checks for unacknowledged messages past the visibility timeout. @defaultValue min(10, visibilityTimeout / 4) */
  restoreIntervalSeconds?: number;
  /** Most messages restored per check (kombu's `unacked_restore_limit`). @defaultValue no limit */
  unackedRestoreLimit?: number;
  /** Seconds the restore mutex is held at most (kombu's `unacked_mutex_expire`). @defaultValue 300 */
  unackedMutexExpire?: number;
  /** Seconds one BRPOP waits before it is sent again. @defaultValue 1 */
  pollTimeoutSeconds?: number;
  /**
   * Publishes that may wait while Redis is unreachable; past it a publish fails at once with
   * `BufferFullError` instead of growing memory. @defaultValue 10000
   */
  maxBuffer?: number;
  /** How long `connect()` waits for Redis before it fails, ms. @defaultValue 30000 */
  connectTimeoutMs?: number;
}

/** Resolved settings the subscriptions read. */
export interface RedisBrokerSettings {
  prefix: string;
  steps: readonly number[];
  pollTimeoutSeconds: number;
  visibilityTimeout: number;
}

export function resolveSettings(options: RedisBrokerOptions): RedisBrokerSettings {
  const steps = [...(options.prioritySteps ?? DEFAULT_PRIORITY_STEPS)].sort((a, b) => a - b);
  if (steps.length === 0 || steps[0] !== 0 || steps.some((s) => !Number.isInteger(s) || s < 0 || s > 9)) {
    throw new ConfigurationError(`prioritySteps must be integers 0..9 starting at 0, not ${JSON.stringify(options.prioritySteps)}`);
  }
  const visibilityTimeout = options.visibilityTimeout ?? 3600;
  if (!(visibilityTimeout > 0)) throw new ConfigurationError(`visibilityTimeout must be a positive number of seconds, not ${String(visibilityTimeout)}`);
  return { prefix: options.globalKeyprefix ?? '', steps, pollTimeoutSeconds: options.pollTimeoutSeconds ?? 1, visibilityTimeout };
}
