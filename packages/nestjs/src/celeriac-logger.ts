import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from '@celeriac/core';
import type { NestLoggedFailures } from './logged-failures.js';

/**
 * Core's logging seam on top of Nest's `Logger`, so Celeriac's lines go wherever Nest's do. A
 * task failure Nest's `ExceptionsHandler` already logged is not logged a second time as an error.
 */
export function nestLoggerFor(context: string, nestLogged?: NestLoggedFailures): Logger {
  const nest = new NestLogger(context);
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields && Object.keys(fields).length > 0 ? `${message} ${safeJson(fields)}` : message;
  return {
    debug: (m, f) => nest.debug(line(m, f)),
    info: (m, f) => nest.log(line(m, f)),
    warn: (m, f) => nest.warn(line(m, f)),
    error: (m, f) => (nestLogged?.takeWorkerLine(m) ? nest.debug(line(m, f)) : nest.error(line(m, f))),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v));
  } catch {
    return String(value);
  }
}
