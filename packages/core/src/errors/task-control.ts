import { CeleriacError, ErrorCode } from './base-error.js';

/**
 * Task control flow, as in Celery: task code throws these to steer the worker.
 * `this.retry()` throws a `Retry` for you.
 */
export class Retry extends CeleriacError {
  readonly when: Date;
  readonly exc: Error | undefined;
  constructor(when: Date, exc?: Error) {
    const delay = Math.max(0, Math.round((when.getTime() - Date.now()) / 1000));
    super(ErrorCode.TASK_CONTROL, `Retry in ${delay}s${exc ? `: ${exc.name}(${JSON.stringify(exc.message)})` : ''}`);
    this.when = when;
    this.exc = exc;
  }
}

/** Reject the message: no result is stored; with `requeue: false` it goes to the dead-letter queue. */
export class Reject extends CeleriacError {
  readonly requeue: boolean;
  constructor(reason = 'rejected by task', options: { requeue?: boolean } = {}) {
    super(ErrorCode.TASK_CONTROL, reason);
    this.requeue = options.requeue ?? false;
  }
}

/** Ack the message and store nothing (the task handled its own state). */
export class Ignore extends CeleriacError {
  constructor(reason = 'ignored') {
    super(ErrorCode.TASK_CONTROL, reason);
  }
}
