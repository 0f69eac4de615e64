import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from '@celeriac/core';

/** Core's logging seam on top of Nest's `Logger`, so Celeriac's lines go wherever Nest's do. */
export function nestLoggerFor(context: string): Logger {
  const nest = new NestLogger(context);
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields && Object.keys(fields).length > 0 ? `${message} ${safeJson(fields)}` : message;
  return {
    debug: (m, f) => nest.debug(line(m, f)),
    info: (m, f) => nest.log(line(m, f)),
    warn: (m, f) => nest.warn(line(m, f)),
    error: (m, f) => nest.error(line(m, f)),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v));
  } catch {
    return String(value);
  }
}
