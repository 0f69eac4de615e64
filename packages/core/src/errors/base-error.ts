/**
 * Every error Celeriac raises is a `CeleriacError` with a stable `code`, so callers can
 * branch on `err.code` instead of parsing messages.
 *
 * Error tree:
 * - serialization: EncodeError, DecodeError, ContentDisallowedError
 * - protocol: InvalidTaskMessageError
 * - tasks: NotRegisteredError, MaxRetriesExceededError, TimeLimitExceededError
 * - results: ResultTimeoutError, RemoteTaskError, ChordNotSupportedError
 * - broker: ConnectionClosedError, PublishError, BufferFullError, DeliveryAlreadySettledError,
 *   TlsError, AuthenticationError, AccessRefusedError, TopologyMissingError
 * - task control flow (thrown by task code to steer the worker): Retry, Reject, Ignore
 */
export const ErrorCode = {
  ENCODE: 'ENCODE',
  DECODE: 'DECODE',
  CONTENT_DISALLOWED: 'CONTENT_DISALLOWED',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  NOT_REGISTERED: 'NOT_REGISTERED',
  MAX_RETRIES_EXCEEDED: 'MAX_RETRIES_EXCEEDED',
  TIME_LIMIT_EXCEEDED: 'TIME_LIMIT_EXCEEDED',
  RESULT_TIMEOUT: 'RESULT_TIMEOUT',
  REMOTE_TASK: 'REMOTE_TASK',
  CHORD_NOT_SUPPORTED: 'CHORD_NOT_SUPPORTED',
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  PUBLISH_FAILED: 'PUBLISH_FAILED',
  BUFFER_FULL: 'BUFFER_FULL',
  ALREADY_SETTLED: 'ALREADY_SETTLED',
  CONFIGURATION: 'CONFIGURATION',
  TLS: 'TLS',
  AUTHENTICATION: 'AUTHENTICATION',
  ACCESS_REFUSED: 'ACCESS_REFUSED',
  NOT_FOUND: 'NOT_FOUND',
  TASK_CONTROL: 'TASK_CONTROL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Turns anything thrown into an Error, so `cause` is always an Error. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(JSON.stringify(value));
  } catch {
    return new Error(String(value));
  }
}

export class CeleriacError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: toError(options.cause) });
    this.code = code;
    this.name = new.target.name;
  }
}
