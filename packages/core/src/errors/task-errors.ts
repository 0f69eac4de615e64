import { CeleriacError, ErrorCode } from './base-error.js';

/** A message could not be understood as a Celery task (bad headers, wrong body shape...). */
export class InvalidTaskMessageError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.INVALID_MESSAGE, message, options);
  }
}

/** No task with this name is registered in the app. */
export class NotRegisteredError extends CeleriacError {
  readonly taskName: string;
  constructor(taskName: string) {
    super(ErrorCode.NOT_REGISTERED, `task ${JSON.stringify(taskName)} is not registered`);
    this.taskName = taskName;
  }
}

/** `retry()` was called more times than the task's `maxRetries`. */
export class MaxRetriesExceededError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.MAX_RETRIES_EXCEEDED, message, options);
  }
}

/** The task ran past its hard time limit and was abandoned. */
export class TimeLimitExceededError extends CeleriacError {
  readonly seconds: number;
  constructor(seconds: number) {
    super(ErrorCode.TIME_LIMIT_EXCEEDED, `task exceeded its hard time limit of ${seconds}s`);
    this.seconds = seconds;
  }
}

/** Invalid configuration given to createApp, a task, or a worker. */
export class ConfigurationError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CONFIGURATION, message, options);
  }
}
