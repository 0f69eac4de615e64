/**
 * Where trace context lives in a Celery message. `opentelemetry-instrumentation-celery`
 * injects `traceparent`, `tracestate` and `baggage` as top-level message headers (Celery
 * copies those onto `task.request`, where it reads them back); Sentry and dd-trace also mirror
 * them in a nested `headers` table. So Celeriac writes both and reads either, top level first.
 */
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/** The nested table Sentry and dd-trace write. */
export const NESTED = 'headers';

type Headers = Record<string, unknown>;

function nested(carrier: Headers): Headers | null {
  const n = carrier[NESTED];
  return n !== null && typeof n === 'object' && !Array.isArray(n) && !Buffer.isBuffer(n) ? (n as Headers) : null;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined; // a header sent as AMQP bytes
}

/** Reads a header from the top level, else from the nested `headers` table. */
export const celeryGetter: TextMapGetter<Headers> = {
  get(carrier, key) {
    return text(carrier[key]) ?? (nested(carrier) ? text(nested(carrier)![key]) : undefined);
  },
  keys(carrier) {
    const inner = nested(carrier);
    return [...new Set([...Object.keys(carrier), ...(inner ? Object.keys(inner) : [])])];
  },
};

/** Writes a header at the top level and, with `mirror`, into the nested `headers` table too. */
export function celerySetter(mirror: boolean): TextMapSetter<Headers> {
  return {
    set(carrier, key, value) {
      carrier[key] = value;
      if (!mirror) return;
      const inner = nested(carrier);
      if (inner) inner[key] = value;
      else if (carrier[NESTED] === undefined) carrier[NESTED] = { [key]: value };
    },
  };
}
