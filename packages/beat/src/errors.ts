/**
 * Errors raised by @celeriac/beat. Each has a stable `code`, so callers branch on `err.code`
 * instead of parsing messages, and a `cause` that is always an Error.
 *
 * - ScheduleConfigError: a bad schedule, entry or time zone (thrown when the beat is built)
 * - ScheduleStoreError: the state store could not be read or written
 * - LeaderLockError: the leader lock could not be taken or kept for a reason other than
 *   "another beat holds it"
 * - ScheduledSendError: a due run could not be sent (the run is lost, as in Celery)
 */
import { toError } from '@celeriac/core';

export const BeatErrorCode = {
  CONFIG: 'BEAT_CONFIG',
  STORE: 'BEAT_STORE',
  LOCK: 'BEAT_LOCK',
  SEND: 'BEAT_SEND',
} as const;
export type BeatErrorCode = (typeof BeatErrorCode)[keyof typeof BeatErrorCode];

export class BeatError extends Error {
  readonly code: BeatErrorCode;
  constructor(code: BeatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: toError(options.cause) });
    this.code = code;
    this.name = new.target.name;
  }
}

export class ScheduleConfigError extends BeatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(BeatErrorCode.CONFIG, message, options);
  }
}

export class ScheduleStoreError extends BeatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(BeatErrorCode.STORE, message, options);
  }
}

export class LeaderLockError extends BeatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(BeatErrorCode.LOCK, message, options);
  }
}

export class ScheduledSendError extends BeatError {
  /** Entry whose run failed. */
  readonly entry: string;
  constructor(entry: string, message: string, options?: { cause?: unknown }) {
    super(BeatErrorCode.SEND, message, options);
    this.entry = entry;
  }
}
