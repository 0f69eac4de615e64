/**
 * Reading path and query parameters safely: each helper returns a validated value or throws
 * a 400 `HttpError`. Express 5's query parser gives strings or arrays of strings.
 */
import type { Request } from 'express';
import { isValidTaskId } from './allow-list.js';
import { badRequest } from './errors.js';

/** The `:id` path parameter, checked with `isValidTaskId`. */
export function taskIdParam(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !isValidTaskId(id)) throw badRequest('invalid task id');
  return id;
}

/** A single-valued query parameter, or undefined. */
export function queryString(req: Request, key: string, maxLength = 255): string | undefined {
  const v = (req.query as Record<string, unknown>)[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > maxLength) throw badRequest(`query parameter "${key}" must be one string of at most ${maxLength} characters`);
  return v;
}

/** A number query parameter within [min, max], or the fallback when absent. */
export function queryNumber(req: Request, key: string, min: number, max: number, fallback: number): number {
  const s = queryString(req, key, 32);
  if (s === undefined || s === '') return fallback;
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max) throw badRequest(`query parameter "${key}" must be a number from ${min} to ${max}`);
  return n;
}

/** A boolean query parameter (`1`, `true`, `yes` are true). */
export function queryFlag(req: Request, key: string): boolean {
  const s = queryString(req, key, 8);
  return s !== undefined && ['1', 'true', 'yes'].includes(s.toLowerCase());
}

/** Resolves with the promise's value, or with `fallback` after `ms` (the promise is not cancelled). */
export async function withTimeout<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
