// @celeriac/nestjs — Celeriac tasks as Nest providers.

// module
export { CeleriacModule } from './celeriac.module.js';
export { CELERIAC_MODULE_OPTIONS, type CeleriacModuleAsyncOptions } from './celeriac.module-definition.js';
export type { CeleriacModuleOptions, CeleriacWorkerOptions, CeleriacBeatOptions } from './interfaces/celeriac-module-options.interface.js';
export { CELERIAC_APP, CELERIAC_CONTEXT_TYPE, type CeleriacContextType } from './celeriac.constants.js';
export { WorkerLifecycleService } from './lifecycle/worker-lifecycle.service.js';

// decorators
export { TaskProcessor, type TaskProcessorOptions } from './decorators/task-processor.decorator.js';
export { Task } from './decorators/task.decorator.js';
export { InjectCeleriac } from './decorators/inject-celeriac.decorator.js';
export { OnWorkerEvent, type WorkerEventName } from './decorators/on-worker-event.decorator.js';
export { Periodic, type PeriodicOptions, type PeriodicSchedule } from './decorators/periodic.decorator.js';
export { Arg, Args, Kwarg, Kwargs } from './decorators/task-args.decorator.js';
export type { TaskParamOption } from './context/task-params.js';
export { TaskCtx } from './decorators/task-ctx.decorator.js';

// typed handles
export { taskHandle, type TaskArgsOf, type TaskResultOf, type MethodNames } from './task-handle.js';
