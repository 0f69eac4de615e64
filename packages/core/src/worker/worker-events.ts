import type { TaskRequest } from '../protocol/task-message.js';

/** Events a worker emits; the Celery event dispatcher and framework adapters listen to these. */
export interface WorkerEvents {
  'task-received': [request: TaskRequest];
  'task-started': [request: TaskRequest];
  'task-succeeded': [request: TaskRequest, result: unknown, runtimeSeconds: number];
  'task-failed': [request: TaskRequest | null, error: Error, info: { id?: string; name?: string; traceback: string | null }];
  'task-retried': [request: TaskRequest, error: Error];
  'task-revoked': [request: TaskRequest, info: { expired: boolean; terminated: boolean; signum: number | null }];
  'task-rejected': [request: TaskRequest, requeue: boolean];
  /** A message that could not be run was moved to `<queue>.dlq`. */
  'dead-lettered': [info: { queue: string; reason: string; taskId: string | null; taskName: string | null }];
  'worker-online': [];
  'worker-offline': [];
  error: [error: Error];
}
