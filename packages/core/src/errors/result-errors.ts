import { CeleriacError, ErrorCode } from './base-error.js';

/** `AsyncResult.get()` gave up waiting. */
export class ResultTimeoutError extends CeleriacError {
  readonly taskId: string;
  constructor(taskId: string, timeoutMs: number) {
    super(ErrorCode.RESULT_TIMEOUT, `no result for task ${taskId} within ${timeoutMs} ms`);
    this.taskId = taskId;
  }
}

/**
 * A task failed (or was revoked) on a worker, Python or Node. Built from the result's
 * `exc_type` / `exc_message` / `exc_module`, exactly as Celery stores them.
 */
export class RemoteTaskError extends CeleriacError {
  readonly taskId: string;
  readonly state: string;
  readonly excType: string;
  readonly excModule: string;
  readonly excArgs: unknown[];
  readonly traceback: string | null;
  constructor(init: {
    taskId: string;
    state: string;
    excType: string;
    excModule: string;
    excArgs: unknown[];
    traceback: string | null;
  }) {
    const text = init.excArgs.length === 1 ? String(init.excArgs[0]) : JSON.stringify(init.excArgs);
    super(ErrorCode.REMOTE_TASK, `${init.excType}: ${text}`);
    this.taskId = init.taskId;
    this.state = init.state;
    this.excType = init.excType;
    this.excModule = init.excModule;
    this.excArgs = init.excArgs;
    this.traceback = init.traceback;
  }
}

/** The result backend cannot run chords (Celery's rpc:// cannot either). */
export class ChordNotSupportedError extends CeleriacError {
  constructor(backend: string) {
    super(
      ErrorCode.CHORD_NOT_SUPPORTED,
      `the ${backend} result backend does not support chords; use redis:// (or memory:// in tests)`,
    );
  }
}
