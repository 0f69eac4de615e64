import { applyDecorators, Injectable, SetMetadata, type ScopeOptions } from '@nestjs/common';
import type { TaskOptions } from '@celeriac/core';
import { TASK_PROCESSOR_METADATA } from '../celeriac.constants.js';

export interface TaskProcessorOptions extends ScopeOptions {
  /**
   * Options every `@Task` method of the class starts from; a method's own options win
   * (for example `{ queue: 'emails' }` for a whole processor).
   * @defaultValue {}
   */
  defaults?: TaskOptions;
}

/** What `@TaskProcessor()` stores on the class. */
export interface TaskProcessorMetadata {
  readonly defaults: Readonly<TaskOptions>;
}

/**
 * Marks a provider whose `@Task` and `@OnWorkerEvent` methods are found at bootstrap. It is
 * also `@Injectable()`, with the given scope (a request-scoped processor gets a fresh
 * instance, and its own `REQUEST` - the task context - for every task run).
 */
export function TaskProcessor(options: TaskProcessorOptions = {}): ClassDecorator {
  const { defaults = {}, ...scope } = options;
  const metadata: TaskProcessorMetadata = { defaults: Object.freeze({ ...defaults }) };
  return applyDecorators(Injectable(scope), SetMetadata(TASK_PROCESSOR_METADATA, metadata));
}
