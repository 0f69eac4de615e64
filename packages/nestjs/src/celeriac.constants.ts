/** Injection tokens and metadata keys of @celeriac/nestjs. */

/** Token of the Celeriac app (what `createApp()` returns); inject it with `@InjectCeleriac()`. */
export const CELERIAC_APP = Symbol('CELERIAC_APP');

/** Token of the function that loads `@celeriac/beat` (a seam for tests). */
export const CELERIAC_BEAT_LOADER = Symbol('CELERIAC_BEAT_LOADER');

/** Token of the NestLoggedFailures shared by the app's logger and the task explorer. */
export const CELERIAC_LOGGED_FAILURES = Symbol('CELERIAC_LOGGED_FAILURES');

/** `ExecutionContext.getType()` of a task run: `context.getType<CeleriacContextType>() === 'celeriac'`. */
export const CELERIAC_CONTEXT_TYPE = 'celeriac';
export type CeleriacContextType = typeof CELERIAC_CONTEXT_TYPE;

export const TASK_PROCESSOR_METADATA = 'celeriac:task-processor';
export const TASK_METADATA = 'celeriac:task';
export const WORKER_EVENT_METADATA = 'celeriac:worker-event';
export const PERIODIC_METADATA = 'celeriac:periodic';

/**
 * Nest's key for parameter decorators (`ROUTE_ARGS_METADATA` in @nestjs/common). Task params
 * are stored under it, as Nest's microservices do, so `createParamDecorator()` decorators work
 * on `@Task` methods too.
 */
export const PARAM_ARGS_METADATA = '__routeArguments__';
