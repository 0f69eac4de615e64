/**
 * HTTP errors of the task router: each has an HTTP `status`, a stable `code` from
 * `HttpErrorCode` and a message safe to show to the caller. The router turns every error
 * into a JSON body `{ "error": message, "code": code }`; anything that is not an
 * `HttpError` becomes a 500 whose message is logged, not sent.
 */
import { toError } from '@celeriac/core';

export const HttpErrorCode = {
  /** The body is not valid JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** The body, a path parameter or a query parameter has the wrong shape. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The body is larger than `bodyLimit`. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** A body that is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The `auth` hook refused a request that carried no credentials. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The `auth` hook refused a request that carried credentials. */
  FORBIDDEN: 'FORBIDDEN',
  /** A write came from another site (CSRF guard). */
  CROSS_SITE: 'CROSS_SITE',
  /** The router is read-only. */
  READ_ONLY: 'READ_ONLY',
  /** The task name is not on the allow-list. */
  TASK_NOT_ALLOWED: 'TASK_NOT_ALLOWED',
  /** The task is neither registered on the app nor named literally on the allow-list. */
  UNKNOWN_TASK: 'UNKNOWN_TASK',
  /** The queue named in `options.queue` may not be chosen over HTTP. */
  QUEUE_NOT_ALLOWED: 'QUEUE_NOT_ALLOWED',
  /** No route for this method and path under `/api`. */
  NOT_FOUND: 'NOT_FOUND',
  /** Nothing is known about this task id. */
  TASK_NOT_FOUND: 'TASK_NOT_FOUND',
  /** The task cannot be retried (wrong state, or its original arguments are unknown). */
  NOT_RETRYABLE: 'NOT_RETRYABLE',
  /** The broker did not take the message. */
  BROKER_UNAVAILABLE: 'BROKER_UNAVAILABLE',
  /** The result backend did not answer. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** An unexpected error; details are in the server log. */
  INTERNAL: 'INTERNAL',
} as const;
export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];

/** An error with an HTTP status, rendered as `{ "error": message, "code": code }`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;

  constructor(status: number, code: HttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: toError(options.cause) });
    this.status = status;
    this.code = code;
    this.name = 'HttpError';
  }

  toJSON(): { error: string; code: HttpErrorCode } {
    return { error: this.message, code: this.code };
  }
}

/** 400 with code INVALID_REQUEST. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, HttpErrorCode.INVALID_REQUEST, message);
}

/** body-parser errors carry `type` and `status`; map them to our codes. */
const BODY_PARSER_ERRORS: Record<string, [number, HttpErrorCode, string]> = {
  'entity.parse.failed': [400, HttpErrorCode.INVALID_JSON, 'request body is not valid JSON'],
  'entity.too.large': [413, HttpErrorCode.BODY_TOO_LARGE, 'request body is too large'],
  'encoding.unsupported': [415, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, 'unsupported content encoding'],
  'charset.unsupported': [415, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, 'unsupported charset'],
  'request.size.invalid': [400, HttpErrorCode.INVALID_REQUEST, 'request size did not match Content-Length'],
  'request.aborted': [400, HttpErrorCode.INVALID_REQUEST, 'request aborted'],
};

/** Core errors that mean the broker could not take a message. */
const BROKER_CODES = new Set(['CONNECTION_CLOSED', 'PUBLISH_FAILED', 'BUFFER_FULL']);

/**
 * Any thrown value → an `HttpError`. Known shapes (ours, body-parser's, core's broker errors)
 * keep their meaning; everything else is a 500 INTERNAL with a generic message.
 */
export function toHttpError(value: unknown): HttpError {
  if (value instanceof HttpError) return value;
  const err = toError(value);
  const type = (err as { type?: unknown }).type;
  if (typeof type === 'string' && BODY_PARSER_ERRORS[type]) {
    const [status, code, message] = BODY_PARSER_ERRORS[type];
    return new HttpError(status, code, message, { cause: err });
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && BROKER_CODES.has(code)) {
    return new HttpError(503, HttpErrorCode.BROKER_UNAVAILABLE, `broker unavailable: ${err.message}`, { cause: err });
  }
  return new HttpError(500, HttpErrorCode.INTERNAL, 'internal error', { cause: err });
}
