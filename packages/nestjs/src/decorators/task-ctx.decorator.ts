import { TaskParamtype, taskParamDecorator } from '../context/task-params.js';

/**
 * The running task's context (core's `TaskContext`: id, retries, headers, `signal`,
 * `retry()`, `updateState()`), the same object `currentTask()` returns.
 *
 * @example
 * @Task('tasks.fetch', { maxRetries: 5 })
 * async fetch(@Arg(0) url: string, @TaskCtx() ctx: TaskContext) {
 *   try { return await get(url, { signal: ctx.signal }); } catch (exc) { ctx.retry({ exc, countdown: 10 }); }
 * }
 */
export function TaskCtx(): ParameterDecorator {
  return taskParamDecorator(TaskParamtype.CONTEXT, undefined, []);
}
