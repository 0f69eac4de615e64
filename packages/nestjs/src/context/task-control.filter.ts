import { Catch, type ExceptionFilter } from '@nestjs/common';
import { Ignore, Reject, Retry } from '@celeriac/core';

/**
 * Lets Celery's control-flow signals (`Retry`, `Reject`, `Ignore`, thrown by `ctx.retry()` and
 * friends) through the exception-filter chain of a task untouched: they steer the worker and
 * are not failures, so Nest's default filter must not log them as errors. `@Task` binds it
 * to the method, so it runs before class-level and global filters.
 */
@Catch(Retry, Reject, Ignore)
export class TaskControlPassthroughFilter implements ExceptionFilter {
  catch(signal: Retry | Reject | Ignore): never {
    throw signal;
  }
}

export const TASK_CONTROL_PASSTHROUGH = new TaskControlPassthroughFilter();
