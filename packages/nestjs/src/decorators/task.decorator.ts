import { applyDecorators, SetMetadata, UseFilters } from '@nestjs/common';
import type { TaskOptions } from '@celeriac/core';
import { TASK_METADATA } from '../celeriac.constants.js';
import { TASK_CONTROL_PASSTHROUGH } from '../context/task-control.filter.js';

/** What `@Task()` stores on the method. */
export interface TaskMetadata {
  readonly name: string;
  readonly options: Readonly<TaskOptions>;
}

/**
 * Registers the method as the task `name` (`app.task(name, handler, options)`). The method
 * runs through Nest's pipeline: guards, interceptors, pipes and exception filters apply, with
 * `context.getType() === 'celeriac'` and `context.getArgs()` = the task's positional arguments.
 *
 * Without parameter decorators the method receives the positional arguments as they are;
 * with them (`@Arg(0)`, `@Kwarg('x')`, `@TaskCtx()`...) each parameter gets what its
 * decorator extracts, after pipes.
 */
export function Task(name: string, options: TaskOptions = {}): MethodDecorator {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('@Task() needs a task name, e.g. @Task(\'tasks.add\')');
  const metadata: TaskMetadata = { name, options: Object.freeze({ ...options }) };
  return applyDecorators(SetMetadata(TASK_METADATA, metadata), UseFilters(TASK_CONTROL_PASSTHROUGH));
}
