/** Celery's `result_extended` fields, stored with each result when the app asks for them. Pure. */
import type { TaskRequest } from '../protocol/task-message.js';

export function extendedFields(req: TaskRequest, worker: string, routingKey: string | null): Record<string, unknown> {
  return { name: req.name, args: req.args, kwargs: req.kwargs, worker, retries: req.retries, queue: routingKey };
}
