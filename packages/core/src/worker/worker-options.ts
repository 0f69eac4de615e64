import { hostname } from 'node:os';

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
}

export function resolveWorkerOptions(o: WorkerOptions, defaultQueue: string) {
  const concurrency = Math.max(1, Math.floor(o.concurrency ?? 8));
  return {
    queues: o.queues && o.queues.length > 0 ? [...o.queues] : [defaultQueue],
    concurrency,
    prefetch: concurrency * Math.max(0, Math.floor(o.prefetchMultiplier ?? 4)),
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
