/**
 * Finds `@TaskProcessor()` providers at bootstrap, registers each `@Task` method on the app
 * with a handler that runs it through Nest's pipeline, and collects `@OnWorkerEvent` listeners
 * and `@Periodic` entries for the lifecycle service.
 */
import { Inject, Injectable, IntrinsicException, Logger, type Type } from '@nestjs/common';
import { ContextIdFactory, DiscoveryService, ExternalContextCreator, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { ConfigurationError, currentTask, Ignore, Reject, Retry, toError, type CeleriacApp, type TaskHandler } from '@celeriac/core';
import { NestLoggedFailures } from '../logged-failures.js';
import {
  CELERIAC_APP, CELERIAC_CONTEXT_TYPE, CELERIAC_LOGGED_FAILURES, PARAM_ARGS_METADATA, PERIODIC_METADATA, TASK_METADATA, TASK_PROCESSOR_METADATA, WORKER_EVENT_METADATA,
} from '../celeriac.constants.js';
import { TaskParamsFactory } from '../context/task-params.js';
import type { WorkerEventName } from '../decorators/on-worker-event.decorator.js';
import type { PeriodicMetadata } from '../decorators/periodic.decorator.js';
import type { TaskMetadata } from '../decorators/task.decorator.js';
import type { TaskProcessorMetadata } from '../decorators/task-processor.decorator.js';

export interface WorkerEventListener {
  readonly event: WorkerEventName;
  /** `Class.method`, for messages. */
  readonly source: string;
  readonly listener: (...args: unknown[]) => unknown;
}

export interface PeriodicEntry extends PeriodicMetadata {
  /** The task the entry sends. */
  readonly task: string;
}

export interface Discovery {
  readonly tasks: readonly string[];
  readonly listeners: readonly WorkerEventListener[];
  readonly periodic: readonly PeriodicEntry[];
}

type Method = (...args: unknown[]) => unknown;

@Injectable()
export class TaskExplorer {
  readonly #logger = new Logger('Celeriac');
  readonly #paramsFactory = new TaskParamsFactory();

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ExternalContextCreator) private readonly contextCreator: ExternalContextCreator,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(CELERIAC_APP) private readonly app: CeleriacApp,
    @Inject(CELERIAC_LOGGED_FAILURES) private readonly nestLogged: NestLoggedFailures,
  ) {}

  /** Registers every `@Task` method on the app; call once. */
  explore(): Discovery {
    const tasks = new Map<string, string>();
    const listeners: WorkerEventListener[] = [];
    const periodic: PeriodicEntry[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const cls = processorClass(wrapper);
      const processor = cls && this.reflector.get<TaskProcessorMetadata | undefined>(TASK_PROCESSOR_METADATA, cls);
      if (!cls || !processor) continue;
      const perRun = !wrapper.isDependencyTreeStatic() || wrapper.isTransient;
      for (const method of this.scanner.getAllMethodNames(cls.prototype)) {
        const fn = (cls.prototype as Record<string, unknown>)[method] as Method;
        const source = `${cls.name}.${method}`;
        const task = this.reflector.get<TaskMetadata | undefined>(TASK_METADATA, fn);
        const events = this.reflector.get<readonly WorkerEventName[] | undefined>(WORKER_EVENT_METADATA, fn) ?? [];
        const entries = this.reflector.get<readonly PeriodicMetadata[] | undefined>(PERIODIC_METADATA, fn) ?? [];
        if (task) {
          const previous = tasks.get(task.name);
          if (previous) throw new ConfigurationError(`@Task(${JSON.stringify(task.name)}) is on both ${previous} and ${source}`);
          this.#register(task, processor, wrapper, method, perRun, source);
          tasks.set(task.name, source);
          for (const entry of entries) periodic.push({ ...entry, task: task.name });
        } else if (entries.length > 0) {
          throw new ConfigurationError(`@Periodic() on ${source} needs @Task() on the same method`);
        }
        if (events.length > 0) {
          if (perRun) throw new ConfigurationError(`@OnWorkerEvent() on ${source}: worker events need a singleton processor, and ${cls.name} is request-scoped or transient`);
          const instance = wrapper.instance as Record<string, Method>;
          for (const event of events) listeners.push({ event, source, listener: (...args) => instance[method]!(...args) });
        }
      }
    }
    return { tasks: [...tasks.keys()], listeners, periodic };
  }

  #register(task: TaskMetadata, processor: TaskProcessorMetadata, wrapper: InstanceWrapper, method: string, perRun: boolean, source: string): void {
    const handler = perRun ? this.#perRunHandler(wrapper, method) : this.#singletonHandler(wrapper.instance as object, method);
    try {
      this.app.task(task.name, handler, { ...processor.defaults, ...task.options });
    } catch (err) {
      throw new ConfigurationError(`@Task(${JSON.stringify(task.name)}) on ${source}: ${toError(err).message}`);
    }
    this.#logger.log(`Task ${task.name} -> ${source}`);
  }

  #singletonHandler(instance: object, method: string): TaskHandler<unknown[], unknown> {
    const run = this.#inNestContext(instance, method);
    return (...args) => run(...args);
  }

  /** Request-scoped or transient processors: a new DI sub-tree per run, whose `REQUEST` is the task context. */
  #perRunHandler(wrapper: InstanceWrapper, method: string): TaskHandler<unknown[], unknown> {
    return async (...args) => {
      const ctx = currentTask();
      const contextId = ContextIdFactory.getByRequest(ctx);
      this.moduleRef.registerRequestByContextId(ctx, contextId);
      const instance = await this.moduleRef.resolve<object>(wrapper.token as Type<object>, contextId, { strict: false });
      return this.#inNestContext(instance, method, contextId, wrapper.id)(...args);
    };
  }

  #inNestContext(instance: object, method: string, contextId?: Parameters<ExternalContextCreator['create']>[5], inquirerId?: string) {
    const callback = (instance as Record<string, Method>)[method]!;
    const run = this.contextCreator.create(
      instance, callback, method, PARAM_ARGS_METADATA, this.#paramsFactory, contextId, inquirerId,
      { guards: true, interceptors: true, filters: true }, CELERIAC_CONTEXT_TYPE,
    ) as (...args: unknown[]) => Promise<unknown>;
    return async (...args: unknown[]): Promise<unknown> => {
      try {
        return await run(...args);
      } catch (err) {
        // what Nest's ExceptionsHandler logs (any Error but its own intrinsic ones and Celery's control flow)
        if (err instanceof Error && !(err instanceof IntrinsicException) && !(err instanceof Retry || err instanceof Reject || err instanceof Ignore)) {
          this.nestLogged.add(currentTask().id);
        }
        throw err;
      }
    };
  }
}

/** The class of a provider: its metatype, or the constructor of what a factory returned. */
function processorClass(wrapper: InstanceWrapper): Type<object> | undefined {
  if (wrapper.isAlias) return undefined;
  const { metatype, instance } = wrapper;
  const cls = !metatype || wrapper.inject ? (instance as object | null | undefined)?.constructor : metatype;
  return typeof cls === 'function' ? (cls as Type<object>) : undefined;
}
