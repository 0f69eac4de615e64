/**
 * What a worker needs for canvases and results: the finish context (the app's one send
 * pipeline, its backend, the `result_extended` fields when the app wants them), Celery's
 * built-in tasks bound to this app, and the stored FAILURE for a message it refuses.
 */
import type { WorkerContext } from './worker-context.js';
import { canvasContext } from '../canvas/apply-signature.js';
import { toError } from '../errors/base-error.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { RegisteredTask } from '../registry/task.js';
import { createBuiltinTasks } from './builtin-tasks.js';
import type { FinishContext } from './finish-task.js';
import { storeRefusal, type Refused } from './refusal.js';
import { extendedFields } from './result-extended.js';

export class WorkerCanvas {
  readonly finish: FinishContext;
  readonly #builtins: ReadonlyMap<string, RegisteredTask>;
  /** The routing key each request arrived with (`queue` in extended results). */
  readonly #routingKeys = new WeakMap<TaskRequest, string>();

  constructor(private readonly app: WorkerContext, hostname: () => string, private readonly onError: (err: Error) => void) {
    const canvas = canvasContext(app.producer, app.backend);
    this.finish = {
      backend: app.backend, producer: app.producer, logger: app.logger, canvas,
      ...(app.options.resultExtended ? { extended: (req: TaskRequest) => extendedFields(req, hostname(), this.#routingKeys.get(req) ?? null) } : {}),
    };
    this.#builtins = createBuiltinTasks({ resolveTask: (name) => app.tasks.get(name), canvas });
  }

  /** The task a request names: a registered one, else one of Celery's built-ins; notes its routing key. */
  taskFor(req: TaskRequest, routingKey: string): RegisteredTask | undefined {
    this.#routingKeys.set(req, routingKey);
    return this.app.tasks.get(req.name) ?? this.#builtins.get(req.name);
  }

  /** A refused message's caller gets a stored FAILURE instead of a timeout (see refusal.ts). */
  refused(refused: Refused, error: unknown, queue: string): void {
    storeRefusal(this.finish, refused, error, this.app.topology.deadLetterQueueName(queue)).catch((err: unknown) => this.onError(toError(err)));
  }
}
