/** Options of `createBeat()`, their defaults, and the one function that resolves them. */
import { resolve } from 'node:path';
import { capabilitiesOf, type CeleriacApp, type Logger } from '@celeriac/core';
import { isCatchUpPolicy, resolveEntry, type BeatEntry, type CatchUpPolicy, type ResolvedEntry } from './entry.js';
import { ScheduleConfigError } from './errors.js';
import type { LeaderLock } from './leader/leader-lock.js';
import { LocalLock } from './leader/local-lock.js';
import { RabbitMqLock } from './leader/rabbitmq-lock.js';
import { assertTimeZone } from './schedules/crontab.js';
import { FileStore } from './store/file-store.js';
import type { ScheduleStore } from './store/schedule-store.js';

export interface BeatOptions {
  /** The entries by name, Celery's `beat_schedule`. More can be added with `beat.addEntry()`. @defaultValue {} */
  schedule?: Record<string, BeatEntry>;
  /**
   * Name of this schedule. Beats with the same name elect one leader (lock queue
   * `celeriac.beat.lock.<name>`) and should share one store.
   * @defaultValue 'default'
   */
  name?: string;
  /** IANA time zone of crontab entries that name none. @defaultValue the app's `timezone`, else 'UTC' */
  timezone?: string;
  /** What to do with runs missed while no beat was sending: `'once'`, `'skip'` or `'all'`. @defaultValue 'once' */
  catchUp?: CatchUpPolicy;
  /**
   * Where last-run times persist. The beat closes a store it created, never one given here.
   * Several beats on several hosts need a shared store (RedisStore).
   * @defaultValue a FileStore at `./celeriac-beat-state.json` (`./celeriac-beat-state.<name>.json` for another name)
   */
  store?: ScheduleStore;
  /**
   * Leader election among the beats of this schedule.
   * @defaultValue a RabbitMqLock on the app's `amqp://` URL; a LocalLock (always leader) on `memory://`
   */
  lock?: LeaderLock;
  /** Longest sleep between two ticks, ms (Celery's `beat_max_loop_interval`). @defaultValue 60000 */
  maxIntervalMs?: number;
  /** Wait after a store or lock error before trying again, ms. @defaultValue 1000 */
  errorRetryMs?: number;
  /** How long `stop()` waits for a send in flight (a publish waiting for a lost broker) before it goes on, ms. @defaultValue 10000 */
  stopTimeoutMs?: number;
  /**
   * Add the headers `celeriac_beat_entry` (entry name) and `celeriac_beat_scheduled_at` (the
   * run's scheduled time) to every message. Off, the messages are exactly Celery beat's.
   * @defaultValue false
   */
  runHeaders?: boolean;
  /** @defaultValue the app's logger */
  logger?: Logger;
  /** The clock, epoch ms (tests). @defaultValue Date.now */
  now?: () => number;
}

export const BEAT_DEFAULTS = Object.freeze({
  name: 'default',
  timezone: 'UTC',
  catchUp: 'once' as CatchUpPolicy,
  maxIntervalMs: 60_000,
  errorRetryMs: 1_000,
  stopTimeoutMs: 10_000,
  runHeaders: false,
});

export interface ResolvedBeatOptions {
  readonly name: string;
  readonly timezone: string;
  readonly catchUp: CatchUpPolicy;
  readonly entries: readonly ResolvedEntry[];
  readonly store: ScheduleStore;
  /** The beat created the store, so it closes it. */
  readonly ownsStore: boolean;
  readonly lock: LeaderLock;
  readonly maxIntervalMs: number;
  readonly errorRetryMs: number;
  readonly stopTimeoutMs: number;
  readonly runHeaders: boolean;
  readonly logger: Logger;
  readonly now: () => number;
}

export function resolveBeatOptions(app: CeleriacApp, options: BeatOptions): ResolvedBeatOptions {
  const name = options.name ?? BEAT_DEFAULTS.name;
  if (!/^[\w.-]+$/.test(name)) throw new ScheduleConfigError(`beat name ${JSON.stringify(name)}: use letters, digits, '_', '-' or '.'`);
  const timezone = options.timezone ?? app.options.timezone ?? BEAT_DEFAULTS.timezone;
  assertTimeZone(timezone);
  const catchUp = options.catchUp ?? BEAT_DEFAULTS.catchUp;
  if (!isCatchUpPolicy(catchUp)) throw new ScheduleConfigError(`catchUp must be 'once', 'skip' or 'all', got ${JSON.stringify(catchUp)}`);
  const entries = Object.entries(options.schedule ?? {}).map(([n, e]) => resolveEntry(n, e, catchUp));
  const maxIntervalMs = positive('maxIntervalMs', options.maxIntervalMs ?? BEAT_DEFAULTS.maxIntervalMs);
  const errorRetryMs = positive('errorRetryMs', options.errorRetryMs ?? BEAT_DEFAULTS.errorRetryMs);
  const stopTimeoutMs = positive('stopTimeoutMs', options.stopTimeoutMs ?? BEAT_DEFAULTS.stopTimeoutMs);
  const logger = options.logger ?? app.logger;
  const store = options.store ?? new FileStore({ path: resolve(process.cwd(), defaultStateFile(name)) });
  return {
    name, timezone, catchUp, entries, store,
    ownsStore: options.store === undefined,
    lock: options.lock ?? defaultLock(app, name, logger),
    maxIntervalMs, errorRetryMs, stopTimeoutMs,
    runHeaders: options.runHeaders ?? BEAT_DEFAULTS.runHeaders,
    logger,
    now: options.now ?? Date.now,
  };
}

export function defaultStateFile(name: string): string {
  return name === BEAT_DEFAULTS.name ? 'celeriac-beat-state.json' : `celeriac-beat-state.${name}.json`;
}

function defaultLock(app: CeleriacApp, name: string, logger: Logger): LeaderLock {
  if (!capabilitiesOf(app.broker).shared) return new LocalLock(); // an in-process broker: one process, one beat
  const url = app.options.broker;
  if (app.broker.kind === 'amqp' && (typeof url === 'string' || Array.isArray(url))) {
    const { heartbeat: _ignored, ...amqp } = app.options.amqp ?? {};
    return new RabbitMqLock({ url: url as string | readonly string[], name, amqp, logger });
  }
  throw new ScheduleConfigError(
    `no default leader lock for a ${app.broker.kind} broker given as an instance: pass lock: new RabbitMqLock({ url }) or lock: new LocalLock()`,
  );
}

function positive(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ScheduleConfigError(`${option} must be a positive number, got ${String(value)}`);
  return value;
}
