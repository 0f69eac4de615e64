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
  /** Heartbeat interval in seconds for worker-heartbeat events. @defaultValue 2 */
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
  };
}

export type ResolvedWorkerOptions = ReturnType<typeof resolveWorkerOptions>;
