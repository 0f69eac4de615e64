/**
 * Publishing a task with amqplib's own instrumentation also on would make a second PRODUCER
 * span and overwrite the message's `traceparent` with it. The OpenTelemetry SDK skips spans
 * (and propagators skip injection) in a context marked "suppress tracing"; the mark is this
 * context key, which `@opentelemetry/core`'s `suppressTracing()` creates the same way (the API
 * makes keys with `Symbol.for`, so both are the same symbol), so this package needs only the API.
 */
import { createContextKey, type Context } from '@opentelemetry/api';

const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
