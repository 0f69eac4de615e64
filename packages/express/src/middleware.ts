/**
 * `celeriac({ app })`: Express middleware that puts the Celeriac app on every request as
 * `req.celeriac`, so route handlers enqueue with `req.celeriac.sendTask(...)` or a typed
 * handle (`req.celeriac.signature<[string], Report>('reports.build').delay(id)`), and
 * answer 202 at once instead of blocking on the result.
 */
import type { CeleriacApp } from '@celeriac/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The Celeriac app, set by the `celeriac()` middleware. */
      celeriac: CeleriacApp;
    }
  }
}

export interface CeleriacMiddlewareOptions {
  /** The app to expose as `req.celeriac`. */
  app: CeleriacApp;
}

/** Middleware that sets `req.celeriac` to the app. */
export function celeriac(options: CeleriacMiddlewareOptions): RequestHandler {
  const { app } = options;
  if (!app || typeof app.sendTask !== 'function') throw new TypeError('celeriac(): options.app must be a Celeriac app (createApp())');
  return (req: Request, _res: Response, next: NextFunction) => {
    req.celeriac = app;
    next();
  };
}
