/**
 * The pool a worker runs task functions in (Celery's `-P`). The worker keeps everything else
 * in its own process (receiving, acks, results, events, remote control); a pool only runs the
 * handler and says how it ended.
 *
 * - `async`: on the worker's own event loop, up to `concurrency` at a time (for I/O-bound tasks).
 * - `threads`: one `worker_threads` thread per slot; each thread imports the tasks module.
 * - `processes`: one child process per slot (`child_process.fork`); each imports the tasks module.
 *
 * Celery's names are accepted too: `solo` is `async` with concurrency 1, `prefork` is
 * `processes`, `threads`/`thread` are `threads`; `eventlet` and `gevent` (green threads) have no
 * Node counterpart but mean the same as `async`: many I/O-bound tasks on one loop.
 */
import { ConfigurationError } from '../../errors/task-errors.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import type { RegisteredTask } from '../../registry/task.js';
import type { Outcome, RunEnv } from '../run-task.js';

export type PoolKind = 'async' | 'threads' | 'processes';

/** A pool name as Celery users type it (`-P`), resolved; `solo` also forces concurrency 1. */
export function parsePoolName(name: string): { kind: PoolKind; solo: boolean } {
  switch (name.trim().toLowerCase()) {
    case 'async':
    case 'eventlet':
    case 'gevent':
      return { kind: 'async', solo: false };
    case 'solo':
      return { kind: 'async', solo: true };
    case 'threads':
    case 'thread':
      return { kind: 'threads', solo: false };
    case 'processes':
    case 'process':
    case 'prefork':
      return { kind: 'processes', solo: false };
    default:
      throw new ConfigurationError(`unknown pool ${JSON.stringify(name)}: use async, threads or processes (Celery's solo and prefork are accepted too)`);
  }
}

/**
 * How a run in a pool ended: the task's own outcome, or one the pool decided.
 * - `lost`: the thread or process died under the task (billiard's WorkerLostError).
 * - `unencodable`: the task returned a value that cannot leave its thread or process.
 * - `aborted`: the worker stopped the task for a cold shutdown; nothing is to be recorded.
 */
export type PoolOutcome =
  | Outcome
  | { kind: 'lost'; error: Error; runtime: number }
  | { kind: 'unencodable'; error: Error; runtime: number }
  | { kind: 'aborted'; runtime: number };

export interface PoolStats {
  implementation: PoolKind;
  /** Tasks run at once. */
  size: number;
  busy: number;
  /** Process ids (processes), thread ids (threads), or this process (async). */
  processes: number[];
  /** Threads or processes started since the worker started, replacements included. */
  started: number;
  /** Replaced after `maxTasksPerChild` / `maxMemoryPerChild`. */
  recycled: number;
  /** Died under a task (WorkerLostError) or killed by a hard limit or revoke. */
  lost: number;
  killed: number;
}

export interface TaskPool {
  readonly kind: PoolKind;
  /** Tasks run at once. */
  readonly size: number;
  start(): Promise<void>;
  /** Runs one task; never rejects. */
  run(task: RegisteredTask, req: TaskRequest, env: RunEnv): Promise<PoolOutcome>;
  /**
   * Stops a running task at once (Celery's `revoke(terminate=True)`): its thread or process is
   * killed with `signal` (processes) and replaced. False when this pool cannot (async: the task
   * only gets its AbortSignal).
   */
  terminate(taskId: string, signal: NodeJS.Signals): boolean;
  /** Changes how many tasks run at once (pool_grow / pool_shrink / autoscale); busy children leave when they finish. */
  resize(size: number): void;
  stats(): PoolStats;
  /** Graceful: lets children exit. `force`: kills them; running tasks end `aborted`. */
  close(force: boolean): Promise<void>;
}
