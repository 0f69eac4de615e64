/**
 * What task code can see and do while it runs. A handler written with `function` receives it
 * as `this`; any code running inside the task (arrow functions, helpers) can call
 * `currentTask()` instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Applied } from '../canvas/freeze.js';
import type { Signature } from '../canvas/signature.js';
import type { SignatureDict } from '../canvas/signature-dict.js';
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
  /**
   * Replaces this task with a signature (Celery's `Task.replace`): the replacement takes over
   * this task's id, so the caller's result, its callbacks and errbacks, the rest of its chain
   * and its chord all see the replacement's outcome. A group becomes a chord whose body
   * (`celery.accumulate`) returns the list of results. Never returns: use `return this.replace(sig)`.
   */
  replace(sig: Signature | SignatureDict): Promise<never>;
}

/** Where a running task's context keeps the results of what it sent (its `children`). @internal */
export const CHILDREN: unique symbol = Symbol('celeriac.children');

/**
 * The task running in this async flow as the parent of what it sends, or null outside a task.
 * @internal
 */
export function currentParent(): { id: string; rootId: string; addChild(applied: Applied): void } | null {
  const ctx = storage.getStore() as (TaskContext & { [CHILDREN]?: Applied[] }) | undefined;
  if (!ctx) return null;
  return { id: ctx.id, rootId: ctx.rootId, addChild: (applied) => ctx[CHILDREN]?.push(applied) };
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
