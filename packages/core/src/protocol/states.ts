/** Task states, exactly as Celery names them (celery/states.py). */
export const TaskState = {
  PENDING: 'PENDING',
  RECEIVED: 'RECEIVED',
  STARTED: 'STARTED',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  RETRY: 'RETRY',
  REVOKED: 'REVOKED',
  REJECTED: 'REJECTED',
  IGNORED: 'IGNORED',
} as const;
/** A built-in state, or a custom one set with `updateState` (for example `PROGRESS`). */
export type TaskState = (typeof TaskState)[keyof typeof TaskState] | (string & {});

/** States after which nothing more happens to a task. */
export const READY_STATES: ReadonlySet<string> = new Set([TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED]);
/** States whose result is an exception document. */
export const EXCEPTION_STATES: ReadonlySet<string> = new Set([TaskState.FAILURE, TaskState.RETRY, TaskState.REVOKED]);
/** States that make `AsyncResult.get()` reject. */
export const PROPAGATE_STATES: ReadonlySet<string> = new Set([TaskState.FAILURE, TaskState.REVOKED]);

export function isReady(state: string): boolean {
  return READY_STATES.has(state);
}
