/**
 * Validates the body of `POST /api/task/async-apply/:name` (Flower's shape:
 * `{"args": [], "kwargs": {}, "options": {}}`, every field optional) and turns it into what
 * `app.sendTask` takes. Pure: throws an `HttpError` on bad input, does no I/O.
 */
import { parseCeleryDate, type ApplyOptions } from '@celeriac/core';
import type { CompiledAllowList } from './allow-list.js';
import { HttpError, HttpErrorCode, badRequest } from './errors.js';

/** The options a client may set over HTTP (Celery's `apply_async` names). */
export interface HttpSendOptions {
  /** Seconds from now before the task may run (0 to one year). */
  countdown?: number;
  /** ISO 8601 time before which the task may not run (naive times are UTC, as in Celery). */
  eta?: string;
  /** Seconds from now (up to one year), or an ISO 8601 time, after which the task is revoked. */
  expires?: number | string;
  /** A queue on the router's `sendQueues` list. */
  queue?: string;
  /** Message priority, an integer 0–255 (the queue needs `x-max-priority`). */
  priority?: number;
}

export interface SendRequest {
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** The validated options, as the client sent them (for records and retries). */
  options: HttpSendOptions;
  /** The same options as `app.sendTask` takes them. */
  applyOptions: ApplyOptions;
}

export interface SendPolicy {
  /** Queues a client may name in `options.queue`. */
  queues: CompiledAllowList;
}

const BODY_KEYS = new Set(['args', 'kwargs', 'options']);
const OPTION_KEYS = new Set(['countdown', 'eta', 'expires', 'queue', 'priority']);
const MAX_SECONDS = 365 * 24 * 3600;

/** Parses and validates a send request body; `undefined` (no body) means no arguments. */
export function parseSendRequest(body: unknown, policy: SendPolicy): SendRequest {
  if (body === undefined) return { args: [], kwargs: {}, options: {}, applyOptions: {} };
  const b = plainObject(body, 'the request body');
  rejectUnknownKeys(b, BODY_KEYS, 'the request body');
  const args = b.args ?? [];
  if (!Array.isArray(args)) throw badRequest('"args" must be an array');
  const kwargs = b.kwargs === undefined ? {} : plainObject(b.kwargs, '"kwargs"');
  const options = b.options === undefined ? {} : parseOptions(plainObject(b.options, '"options"'), policy);
  return { args, kwargs, options, applyOptions: toApplyOptions(options) };
}

/** `HttpSendOptions` → core `ApplyOptions` (dates parsed as Celery parses them). */
export function toApplyOptions(o: HttpSendOptions): ApplyOptions {
  const out: ApplyOptions = {};
  if (o.countdown !== undefined) out.countdown = o.countdown;
  if (o.eta !== undefined) out.eta = parseCeleryDate(o.eta);
  if (o.expires !== undefined) out.expires = typeof o.expires === 'string' ? parseCeleryDate(o.expires) : o.expires;
  if (o.queue !== undefined) out.queue = o.queue;
  if (o.priority !== undefined) out.priority = o.priority;
  return out;
}

function parseOptions(o: Record<string, unknown>, policy: SendPolicy): HttpSendOptions {
  rejectUnknownKeys(o, OPTION_KEYS, '"options"', ' (allowed: countdown, eta, expires, queue, priority)');
  const out: HttpSendOptions = {};
  if (o.countdown !== undefined) out.countdown = seconds(o.countdown, 'options.countdown', 0);
  if (o.eta !== undefined) {
    if (out.countdown !== undefined) throw badRequest('give "options.countdown" or "options.eta", not both');
    out.eta = isoDate(o.eta, 'options.eta');
  }
  if (o.expires !== undefined) {
    out.expires = typeof o.expires === 'string' ? isoDate(o.expires, 'options.expires') : seconds(o.expires, 'options.expires', Number.MIN_VALUE);
  }
  if (o.queue !== undefined) {
    if (typeof o.queue !== 'string' || o.queue === '') throw badRequest('"options.queue" must be a non-empty string');
    if (!policy.queues.allows(o.queue)) {
      throw new HttpError(403, HttpErrorCode.QUEUE_NOT_ALLOWED, `queue ${JSON.stringify(o.queue)} may not be chosen over HTTP`);
    }
    out.queue = o.queue;
  }
  if (o.priority !== undefined) {
    if (typeof o.priority !== 'number' || !Number.isInteger(o.priority) || o.priority < 0 || o.priority > 255) {
      throw badRequest('"options.priority" must be an integer from 0 to 255');
    }
    out.priority = o.priority;
  }
  return out;
}

function seconds(v: unknown, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_SECONDS) {
    throw badRequest(`"${field}" must be a number of seconds, ${min > 0 ? 'more than 0' : '0 or more'} and at most ${MAX_SECONDS}`);
  }
  return v;
}

function isoDate(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length > 64) throw badRequest(`"${field}" must be an ISO 8601 date string`);
  let date: Date;
  try {
    date = parseCeleryDate(v);
  } catch {
    throw badRequest(`"${field}" must be an ISO 8601 date string`);
  }
  const year = date.getUTCFullYear();
  if (year < 1970 || year > 9999) throw badRequest(`"${field}" is out of range`);
  return v;
}

function plainObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

function rejectUnknownKeys(o: Record<string, unknown>, known: ReadonlySet<string>, what: string, hint = ''): void {
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length > 0) throw badRequest(`unknown key${unknown.length > 1 ? 's' : ''} in ${what}: ${unknown.map((k) => JSON.stringify(k)).join(', ')}${hint}`);
}
