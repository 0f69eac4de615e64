/**
 * Typed task handles. `app.task(name, fn)` registers a local task and returns a `Task`;
 * `app.signature<Args, Result>(name)` returns a `TaskHandle` for a task that runs elsewhere
 * (a Python service). Both send with `delay` / `applyAsync` and build signatures with `s` / `si`.
 */
import type { AsyncResult } from '../result/async-result.js';
import type { ApplyOptions } from '../producer/apply-options.js';
import type { GroupSignature, Signature } from '../canvas/signature.js';
import type { TaskContext } from '../worker/task-context.js';
import type { TaskOptions } from './task-options.js';

/** Any leading part of a tuple of arguments (for partial signatures). */
export type Prefix<T extends readonly unknown[]> = number extends T['length']
  ? T
  : T extends readonly [infer H, ...infer R]
    ? [] | [H, ...Prefix<R>]
    : [];

export type TaskHandler<A extends unknown[], R> = (this: TaskContext, ...args: A) => R | Promise<R>;

export interface TaskHandle<A extends unknown[], R> {
  readonly name: string;
  /** Sends the task with these arguments; resolves once the broker confirmed the message. */
  delay(...args: A): Promise<AsyncResult<R>>;
  /** Sends with options (countdown, eta, expires, queue, priority, taskId, kwargs...). */
  applyAsync(args?: A | readonly [], options?: ApplyOptions): Promise<AsyncResult<R>>;
  /** A signature with some leading arguments; a chain step receives the previous result first. */
  s(...args: Prefix<A>): Signature<R>;
  /** An immutable signature: ignores the parent's result. */
  si(...args: A): Signature<R>;
  /** A signature with keyword arguments and options. */
  signature(args?: Prefix<A>, options?: ApplyOptions): Signature<R>;
  /** One message that runs the task once per item, inline on one worker: `f(item)` (Celery's `task.map`). */
  map(items: readonly A[0][]): Signature<R[]>;
  /** One message that runs `f(...args)` for each argument tuple (Celery's `task.starmap`). */
  starmap(items: readonly A[]): Signature<R[]>;
  /** Argument tuples split into chunks of `n`, one starmap message per chunk (Celery's `task.chunks`). */
  chunks(items: readonly A[], n: number): GroupSignature<R[][]>;
}

export interface Task<A extends unknown[], R> extends TaskHandle<A, R> {
  readonly options: Readonly<TaskOptions>;
  readonly handler: TaskHandler<A, R>;
}

/** What the worker needs to run a registered task. */
export interface RegisteredTask {
  readonly name: string;
  readonly options: Readonly<TaskOptions>;
  readonly handler: TaskHandler<unknown[], unknown>;
}
