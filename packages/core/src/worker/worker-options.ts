import { hostname } from 'node:os';
import { ConfigurationError } from '../errors/task-errors.js';
import { parsePoolName, type PoolKind } from './pool/task-pool.js';

export interface WorkerOptions {
  /** Queues to consume. @defaultValue [app's default queue] */
  queues?: readonly string[];
  /** Tasks run at the same time. @defaultValue 8 */
  concurrency?: number;
  /** Prefetch = concurrency × this (Celery's `worker_prefetch_multiplier`). @defaultValue 4 */
  prefetchMultiplier?: number;
  /** Ack after the task finished (at-least-once); false acks when it starts, as Celery's default. @defaultValue true */
  acksLate?: boolean;
  /** Node name, `name@host` (Celery's `-n`). @defaultValue `celeriac@<hostname>` */
  hostname?: string;
  /** Send task events (Celery's `-E`). @defaultValue false */
  sendEvents?: boolean;
  /** Answer remote control (ping, inspect, revoke...) on `<ns>.pidbox`. @defaultValue true */
  control?: boolean;
  /** Heartbeat interval in seconds for worker-heartbeat events; 0 sends none. @defaultValue 2 */
  heartbeatInterval?: number;
  /** Longest wait for running tasks on a warm shutdown, ms. @defaultValue 30000 */
  shutdownTimeout?: number;
  /** Stop on SIGTERM / SIGINT (a second signal stops at once). @defaultValue false (the CLI sets it) */
  handleSignals?: boolean;
  /**
   * Hold ETA tasks in the worker (as Celery) only when due within this many seconds; later
   * ones are parked on RabbitMQ's native delayed delivery queues (`celery_delayed_*`) so no
   * delivery is held past the broker's consumer timeout. @defaultValue 600
   */
  maxHeldEtaSeconds?: number;
  /**
   * Deliveries of one message that may end without an outcome (the worker crashed or was
   * killed, its connection was lost, the outcome could not be recorded) before the message is
   * moved to `<queue>.dlq` and FAILURE `WorkerLostError` is stored. Counted across workers and
   * restarts on every queue type (see the README, "Every message ends"). @defaultValue 10
   */
  deliveryLimit?: number;
  /** First delay before a message whose outcome could not be recorded (backend or broker down) goes back on its queue; doubles per failed delivery. @defaultValue 1000 */
  requeueBaseDelayMs?: number;
  /** Longest such delay. @defaultValue 60000 */
  requeueMaxDelayMs?: number;
  /**
   * ETA / countdown tasks held in memory that raise the prefetch window (Celery 5.6's
   * `worker_eta_task_limit`); past it, held ETA tasks take ordinary prefetch slots, or are
   * parked on the broker when native delayed delivery is available. null: no count limit.
   * @defaultValue null
   */
  etaTaskLimit?: number | null;
  /**
   * Bytes of message bodies held in memory waiting to run (the reserved and ETA buffers). Past
   * it the prefetch window closes until running tasks drain the buffers, and new ETA tasks are
   * parked on the broker when possible. @defaultValue 67108864 (64 MiB)
   */
  maxBufferedBytes?: number;
  /** Longest task result repr in `task-succeeded` events (Celery's `resultrepr_maxsize`). @defaultValue 1024 */
  resultReprMaxSize?: number;
  /**
   * Where task functions run (Celery's `-P`): `async` on this event loop (I/O-bound tasks),
   * `threads` in `worker_threads`, `processes` in child processes (CPU-bound tasks, hard time
   * limits that stop the work, crash isolation). Celery's names work too: `solo` is `async`
   * with concurrency 1, `prefork` is `processes`. Threads and processes import `tasksModule`.
   * @defaultValue 'async'
   */
  pool?: PoolKind | 'solo' | 'prefork' | 'thread' | 'eventlet' | 'gevent';
  /**
   * The module each thread or process of the pool imports to find the tasks (a path, resolved
   * from the working directory, or a `file:` URL): it must export the app (`appExport`) with
   * the tasks registered on it, and must not start a worker when imported. The CLI passes its
   * `-A` module. Required for `threads` and `processes`.
   */
  tasksModule?: string | URL;
  /** The named export of `tasksModule` that holds the app. @defaultValue 'app' */
  appExport?: string;
  /** Replace a pool thread or process after it ran this many tasks (Celery's `worker_max_tasks_per_child`). @defaultValue null (never) */
  maxTasksPerChild?: number | null;
  /**
   * Replace a pool thread or process whose memory is over this many KiB (1024 bytes, as Celery
   * 5.5 counts) after a task; the task that crossed the line completes first. A process is
   * measured by its RSS, a thread by its V8 heap (it has no RSS of its own).
   * @defaultValue null (never)
   */
  maxMemoryPerChild?: number | null;
  /** Hard time limit in seconds for tasks that set none (Celery's `task_time_limit`, `--time-limit`). @defaultValue null */
  timeLimit?: number | null;
  /** Soft time limit in seconds for tasks that set none (Celery's `task_soft_time_limit`, `--soft-time-limit`). @defaultValue null */
  softTimeLimit?: number | null;
  /**
   * Grow and shrink the pool with the load (Celery's `--autoscale max,min`): `[max, min]`.
   * The worker starts with `min` and `concurrency` is ignored.
   * @defaultValue null
   */
  autoscale?: readonly [max: number, min: number] | null;
  /**
   * Seconds running tasks get to finish in a soft shutdown, the stage before a cold one
   * (Celery 5.5's `worker_soft_shutdown_timeout`). 0 skips it. @defaultValue 0
   */
  softShutdownTimeout?: number;
  /** Run the soft shutdown stage even when no task is running (Celery's `worker_enable_soft_shutdown_on_idle`). @defaultValue false */
  softShutdownOnIdle?: boolean;
  /**
   * When the thread or process running a task dies, put the message back on its queue instead
   * of storing FAILURE WorkerLostError (Celery's `task_reject_on_worker_lost`; tasks can set
   * `rejectOnWorkerLost` themselves). Late-ack tasks only; bounded by `deliveryLimit`.
   * @defaultValue false
   */
  rejectOnWorkerLost?: boolean;
  /**
   * A block of the event loop at least this long is logged as a warning with the tasks that
   * were running (the `async` pool). @defaultValue 1000
   */
  blockedLoopThresholdMs?: number;
  /**
   * In the `async` pool, catch exceptions that task code leaves uncaught (a throw from a timer,
   * an unhandled rejection) while the worker runs: the task they came from fails with them and
   * the process lives. Installs `uncaughtException` / `unhandledRejection` listeners on `process`.
   * @defaultValue true
   */
  catchUncaught?: boolean;
  /**
   * Per-consumer delivery acknowledgement timeout asked of RabbitMQ (`x-consumer-timeout`, ms),
   * so long tasks are not redelivered while they run. RabbitMQ versions that ignore it (before
   * 3.12) keep their global `consumer_timeout`. null: the server's setting.
   * @defaultValue null
   */
  consumerTimeout?: number | null;
}

function positiveOrNull(name: string, v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (!(v > 0)) throw new ConfigurationError(`worker option ${name} must be a positive number or null, got ${v}`);
  return v;
}

function poolOf(o: WorkerOptions) {
  const { kind, solo } = parsePoolName(o.pool ?? 'async');
  if (kind !== 'async' && o.tasksModule === undefined) {
    throw new ConfigurationError(`pool ${kind} needs tasksModule: the module each ${kind === 'threads' ? 'thread' : 'process'} imports to find the tasks (the CLI passes -A)`);
  }
  const autoscale = o.autoscale ?? null;
  if (autoscale && !(autoscale[0] >= 1 && autoscale[1] >= 0 && autoscale[0] >= autoscale[1])) {
    throw new ConfigurationError(`autoscale must be [max, min] with max >= min >= 0 and max >= 1, got [${autoscale.join(', ')}]`);
  }
  return { kind, solo, autoscale: autoscale ? ([Math.floor(autoscale[0]), Math.floor(autoscale[1])] as const) : null };
}

export function resolveWorkerOptions(o: WorkerOptions, defaultQueue: string) {
  const pool = poolOf(o);
  const concurrency = pool.solo ? 1 : Math.max(1, Math.floor(pool.autoscale ? Math.max(1, pool.autoscale[1]) : o.concurrency ?? 8));
  const multiplier = Math.max(0, Math.floor(o.prefetchMultiplier ?? 4));
  return {
    pool: pool.kind,
    tasksModule: o.tasksModule === undefined ? null : String(o.tasksModule),
    appExport: o.appExport ?? 'app',
    maxTasksPerChild: positiveOrNull('maxTasksPerChild', o.maxTasksPerChild),
    maxMemoryPerChild: positiveOrNull('maxMemoryPerChild', o.maxMemoryPerChild),
    timeLimit: positiveOrNull('timeLimit', o.timeLimit),
    softTimeLimit: positiveOrNull('softTimeLimit', o.softTimeLimit),
    autoscale: pool.autoscale,
    softShutdownTimeout: Math.max(0, o.softShutdownTimeout ?? 0),
    softShutdownOnIdle: o.softShutdownOnIdle ?? false,
    rejectOnWorkerLost: o.rejectOnWorkerLost ?? false,
    blockedLoopThresholdMs: Math.max(1, o.blockedLoopThresholdMs ?? 1000),
    catchUncaught: o.catchUncaught ?? true,
    consumerTimeout: positiveOrNull('consumerTimeout', o.consumerTimeout),
    /** Prefetch multiplier, kept when the pool is resized. */
    prefetchMultiplier: multiplier,
    queues: o.queues && o.queues.length > 0 ? [...o.queues] : [defaultQueue],
    concurrency,
    // with autoscale the window follows the largest pool, so the demand can show (as Celery)
    prefetch: (pool.autoscale ? pool.autoscale[0] : concurrency) * multiplier,
    acksLate: o.acksLate ?? true,
    hostname: o.hostname ?? `celeriac@${hostname()}`,
    sendEvents: o.sendEvents ?? false,
    control: o.control ?? true,
    heartbeatInterval: o.heartbeatInterval ?? 2,
    shutdownTimeout: o.shutdownTimeout ?? 30_000,
    handleSignals: o.handleSignals ?? false,
    maxHeldEtaSeconds: o.maxHeldEtaSeconds ?? 600,
    deliveryLimit: Math.max(1, o.deliveryLimit ?? 10),
    requeueBaseDelayMs: Math.max(0, o.requeueBaseDelayMs ?? 1000),
    requeueMaxDelayMs: Math.max(0, o.requeueMaxDelayMs ?? 60_000),
    etaTaskLimit: o.etaTaskLimit === null || o.etaTaskLimit === undefined ? null : Math.max(0, Math.floor(o.etaTaskLimit)),
    maxBufferedBytes: Math.max(1, o.maxBufferedBytes ?? 64 * 1024 * 1024),
    resultReprMaxSize: Math.max(1, o.resultReprMaxSize ?? 1024),
  };
}

export type ResolvedWorkerOptions = ReturnType<typeof resolveWorkerOptions>;
