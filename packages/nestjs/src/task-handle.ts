/**
 * Typed handles for tasks declared with `@Task` in this app: the name comes from the
 * decorator, the argument and result types from the method's signature.
 */
import type { ApplyOptions, CeleriacApp, TaskContext, TaskHandle } from '@celeriac/core';
import { ConfigurationError } from '@celeriac/core';
import type { Type } from '@nestjs/common';
import { TASK_METADATA } from './celeriac.constants.js';
import type { TaskMetadata } from './decorators/task.decorator.js';

type IsAny<T> = 0 extends 1 & T ? true : false;
type DropTrailingContext<A extends unknown[]> = A extends [...infer Head, infer Last]
  ? IsAny<Last> extends true ? A : [Last] extends [TaskContext] ? Head : A
  : A;

/** The task arguments of a `@Task` method: its parameters, without a last `@TaskCtx()` one. */
export type TaskArgsOf<M> = M extends (...args: infer A) => unknown ? DropTrailingContext<A> : never;
/** What a `@Task` method's task returns (promises unwrapped). */
export type TaskResultOf<M> = M extends (...args: never[]) => infer R ? Awaited<R> : never;
/** Names of the methods of `T`. */
export type MethodNames<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;

/**
 * A typed handle (`delay`, `applyAsync`, `s`, `si`) for the `@Task` method `method` of
 * `processor`. It only sends, so API-only processes can use it too.
 *
 * @example
 * const add = taskHandle(celeriac, MathProcessor, 'add'); // TaskHandle<[number, number], number>
 * const result = await add.delay(2, 3);
 */
export function taskHandle<T, K extends MethodNames<T>>(
  app: CeleriacApp, processor: Type<T>, method: K, options: ApplyOptions = {},
): TaskHandle<Extract<TaskArgsOf<T[K]>, unknown[]>, TaskResultOf<T[K]>> {
  const fn: unknown = (processor.prototype as Record<string, unknown>)[method];
  const meta = typeof fn === 'function' ? (Reflect.getMetadata(TASK_METADATA, fn) as TaskMetadata | undefined) : undefined;
  if (!meta) throw new ConfigurationError(`${processor.name}.${method} is not a @Task() method`);
  return app.signature(meta.name, options);
}
