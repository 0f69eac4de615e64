/**
 * The router's guards: the `auth` hook on every request, security headers, the write guard
 * (read-only mode, cross-site requests, JSON-only bodies) and the JSON error handler.
 */
import { toError, type Logger } from '@celeriac/core';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError, HttpErrorCode, toHttpError } from './errors.js';

/**
 * Decides whether a request may use the router. `false` answers 401 when the request carried
 * no `Authorization` header and 403 when it did; a throw answers 500 (and is logged).
 */
export type AuthHook = (req: Request) => boolean | Promise<boolean>;

/** Runs the auth hook (`'none'` lets everything through). */
export function authGuard(auth: AuthHook | 'none', logger: Logger): RequestHandler {
  if (auth === 'none') return (_req, _res, next) => next();
  return async (req: Request, _res: Response, next: NextFunction) => {
    let ok: unknown;
    try {
      ok = await auth(req);
    } catch (err) {
      logger.error(`celeriac router: the auth hook threw: ${toError(err).message}`);
      throw new HttpError(500, HttpErrorCode.INTERNAL, 'authentication failed');
    }
    if (ok === true) return next();
    if (req.get('authorization') !== undefined) throw new HttpError(403, HttpErrorCode.FORBIDDEN, 'forbidden');
    throw new HttpError(401, HttpErrorCode.UNAUTHORIZED, 'authentication required');
  };
}

/** Headers for every response of the router: no sniffing, no caching, no framing, no referrer. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  next();
};

/**
 * Guards routes that change something: refused in read-only mode, refused when a browser says
 * the request comes from another site (`Sec-Fetch-Site`, `Origin`), and a body must be JSON.
 */
export function writeGuard(readOnly: boolean): RequestHandler {
  return (req, _res, next) => {
    if (readOnly) throw new HttpError(403, HttpErrorCode.READ_ONLY, 'this API is read-only');
    const site = req.get('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new HttpError(403, HttpErrorCode.CROSS_SITE, 'cross-site requests may not change tasks');
    }
    const origin = req.get('origin');
    if (origin !== undefined && originHost(origin) !== req.host) {
      throw new HttpError(403, HttpErrorCode.CROSS_SITE, 'cross-origin requests may not change tasks');
    }
    if (hasBody(req) && !req.is('application/json')) {
      throw new HttpError(415, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, 'the request body must be application/json');
    }
    next();
  };
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/** Every error as `{ "error": message, "code": code }` with its status; 5xx are logged. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = toHttpError(err);
    if (e.status >= 500) {
      const cause = e.cause instanceof Error ? e.cause : e;
      logger.error(`celeriac router: ${cause.name}: ${cause.message}`, cause.stack ? { stack: cause.stack } : undefined);
    }
    res.status(e.status).json(e.toJSON());
  };
}

/** JSON 404 for paths under `/api` that match no route. */
export const apiNotFound: RequestHandler = (req) => {
  throw new HttpError(404, HttpErrorCode.NOT_FOUND, `no route for ${req.method} ${req.baseUrl}${req.path}`);
};
