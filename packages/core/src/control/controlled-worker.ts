/**
 * The worker as remote control sees it: what `inspect` reads and `control` changes. The
 * worker implements it; control code depends on this, not on the worker's module.
 */
import type { HeldRequest } from '../worker/held-request.js';
import type { Autoscaler } from '../worker/autoscaler.js';
import type { LoopLag } from '../worker/loop-monitor.js';
import type { TaskPool } from '../worker/pool/task-pool.js';
import type { RateLimit } from '../worker/rate-limit.js';
import type { RevokedSet } from '../worker/revoked-set.js';
import type { WorkerContext } from '../worker/worker-context.js';
import type { WorkerCounters } from '../worker/worker-counters.js';
import type { ResolvedWorkerOptions } from '../worker/worker-options.js';

export interface ControlledWorker {
  readonly app: WorkerContext;
  /** The node name (`celery@host`). */
  readonly hostname: string;
  /** `enable_events` / `disable_events` flip `sendEvents`. */
  readonly options: ResolvedWorkerOptions;
  readonly active: ReadonlyMap<string, HeldRequest>;
  readonly reserved: readonly HeldRequest[];
  readonly scheduled: { list(): readonly HeldRequest[] };
  readonly revoked: RevokedSet;
  readonly startedAt: number;
  readonly totals: ReadonlyMap<string, number>;
  readonly counters: WorkerCounters;
  readonly pool: TaskPool;
  readonly autoscaler: Autoscaler | null;
  readonly bufferedBytes: number;
  /** The event clock and heartbeat, once the worker started. */
  readonly services: { readonly clock: number; heartbeat(): Promise<void> } | null;
  eventLoopLag(): LoopLag;
  revoke(ids: readonly string[], terminate?: boolean, signal?: NodeJS.Signals): string[];
  setRateLimit(taskName: string, limit: RateLimit): void;
  setConcurrency(concurrency: number): void;
  addQueue(queue: string): Promise<void>;
  removeQueue(queue: string): Promise<void>;
  stop(): Promise<void>;
}
