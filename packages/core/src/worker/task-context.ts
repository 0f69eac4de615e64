/**
 * What task code can see and do while it runs. A handler written with `function` receives it
 * as `this`; any code running inside the task (arrow functions, helpers) can call
 * `currentTask()` instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TaskState } from '../protocol/states.js';

export interface RetryOptions {
  /** Seconds to wait before the retry. @defaultValue the task's `defaultRetryDelay` (180) */
  countdown?: number;
  /** Absolute time of the retry (instead of countdown). */
  eta?: Date;
  /** Overrides the task's `maxRetries` for this call. */
  maxRetries?: number | null;
  /** The error that caused the retry; stored in the RETRY state and thrown when retries run out. */
  exc?: unknown;
  /** Send the retry to another queue. */
  queue?: string;
  /** Replace the arguments for the retry. */
  args?: unknown[];
  kwargs?: Record<string, unknown>;
}

export interface TaskContext {
  readonly id: string;
  readonly name: string;
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  /** How many times this task has been retried. */
  readonly retries: number;
  readonly headers: Record<string, unknown>;
  readonly rootId: string;
  readonly parentId: string | null;
  readonly group: string | null;
  readonly groupIndex: number | null;
  readonly eta: Date | null;
  readonly expires: Date | null;
  /** The worker's node name (`name@host`). */
  readonly hostname: string;
  readonly deliveryInfo: { exchange: string; routingKey: string; queue: string; redelivered: boolean; priority: number };
  /** Aborts on soft time limit, revoke with terminate, or worker shutdown deadline. */
  readonly signal: AbortSignal;
  /** Throws a `Retry`: the task is sent again later with `retries + 1`. */
  retry(options?: RetryOptions): never;
  /** Stores a custom state (e.g. PROGRESS with `{ done, total }`), readable from Python too. */
  updateState(state: TaskState, meta?: unknown): Promise<void>;
}

/** One storage per process is fine here: it only carries the context of the running task. */
const storage = new AsyncLocalStorage<TaskContext>();

export function runWithContext<T>(ctx: TaskContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The context of the task running in this async flow; throws outside a task. */
export function currentTask(): TaskContext {
  const ctx = storage.getStore();
  if (!ctx) throw new Error('currentTask() called outside a running task');
  return ctx;
}
