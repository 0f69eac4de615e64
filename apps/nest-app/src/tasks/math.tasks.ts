/**
 * Typed handles on the tasks of MathProcessor, as a provider: whoever sends injects them with
 * `@Inject(MATH_TASKS)`. Names come from `@Task()`, argument and result types from the methods.
 */
import type { CeleriacApp } from '@celeriac/core';
import { CELERIAC_APP, taskHandle } from '@celeriac/nestjs';
import type { Provider } from '@nestjs/common';
import { MathProcessor } from './math.processor.js';

export const MATH_TASKS = Symbol('MATH_TASKS');

export function mathTasks(app: CeleriacApp) {
  return {
    add: taskHandle(app, MathProcessor, 'add'),
    slowSum: taskHandle(app, MathProcessor, 'slowSum'),
  } as const;
}

export type MathTasks = ReturnType<typeof mathTasks>;

export const mathTasksProvider: Provider = { provide: MATH_TASKS, useFactory: mathTasks, inject: [CELERIAC_APP] };
