/**
 * `celeriacOtel()`: OpenTelemetry tracing for a Celeriac app, as an `Instrumentation` for
 * `createApp({ instrumentation: [celeriacOtel()] })`.
 *
 * - Every task published gets a PRODUCER span `apply_async/<task>` (a child of whatever span
 *   is active), and its W3C trace context (`traceparent`, `tracestate`, `baggage`) is written
 *   into the message headers, top level and nested `headers` table.
 * - Every task a worker runs gets a CONSUMER span `run/<task>` whose parent is read from the
 *   message (top level or nested), so a task sent by Python's `opentelemetry-instrumentation-
 *   celery` continues the Python trace, and a Python task sees Node's context on
 *   `self.request.traceparent`. The span covers the task and what the worker sends after it
 *   (callbacks, the next chain step, a retry), so those are its children.
 * - Attributes are Celery's: `celery.action`, `celery.task_name`, `messaging.message.id`...
 *
 * Only `@opentelemetry/api` is used: with no SDK registered every span is a no-op.
 */
import {
  ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace,
  type Attributes, type Span, type TextMapPropagator, type TracerProvider,
} from '@opentelemetry/api';
import type { Instrumentation, PublishInfo, TaskRunInfo, TaskRunOutcome } from '@celeriac/core';
import { ACTION_APPLY_ASYNC, ACTION_RUN, ATTR, STATE_OF } from './attributes.js';
import { celeryGetter, celerySetter } from './carrier.js';
import { suppressTracing } from './suppress.js';

export interface CeleriacOtelOptions {
  /** Where spans go. @defaultValue the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Writes and reads the trace context. @defaultValue the global propagator (`propagation`) */
  propagator?: TextMapPropagator;
  /** Also write the context into a nested `headers` table, as Sentry and dd-trace do. @defaultValue true */
  nestedHeaders?: boolean;
  /**
   * Publish with tracing suppressed inside Celeriac's own broker call, so amqplib's
   * instrumentation (when also on) adds no second PRODUCER span and does not overwrite the
   * message's `traceparent`. @defaultValue true
   */
  suppressTransportSpans?: boolean;
  /** Name of the tracer. @defaultValue '@celeriac/otel' */
  tracerName?: string;
}

const VERSION = '0.1.0';

export function celeriacOtel(options: CeleriacOtelOptions = {}): Instrumentation {
  const tracer = () => (options.tracerProvider ?? trace.getTracerProvider()).getTracer(options.tracerName ?? '@celeriac/otel', VERSION);
  const propagator = (): Pick<TextMapPropagator, 'inject' | 'extract'> => options.propagator ?? propagation;
  const setter = celerySetter(options.nestedHeaders ?? true);
  const suppress = options.suppressTransportSpans ?? true;

  return {
    name: '@celeriac/otel',

    async publish(info: PublishInfo, publish: () => Promise<void>): Promise<void> {
      const parent = context.active();
      const span = tracer().startSpan(`${ACTION_APPLY_ASYNC}/${info.taskName}`, { kind: SpanKind.PRODUCER, attributes: publishAttributes(info) }, parent);
      const ctx = trace.setSpan(parent, span);
      propagator().inject(ctx, info.headers, setter);
      try {
        await context.with(suppress ? suppressTracing(ctx) : ctx, publish);
      } catch (err) {
        fail(span, err);
        throw err;
      } finally {
        span.end();
      }
    },

    async run(info: TaskRunInfo, run: () => Promise<TaskRunOutcome>): Promise<TaskRunOutcome> {
      // the parent is the message's context alone: whatever context the delivery callback
      // happens to run in (the socket's, a dispatch timer's) says nothing about this task
      const parent = propagator().extract(ROOT_CONTEXT, info.request.headers, celeryGetter);
      const span = tracer().startSpan(`${ACTION_RUN}/${info.request.name}`, { kind: SpanKind.CONSUMER, attributes: runAttributes(info) }, parent);
      try {
        const outcome = await context.with(trace.setSpan(parent, span), run);
        record(span, outcome);
        return outcome;
      } catch (err) {
        fail(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  };
}

function publishAttributes(info: PublishInfo): Attributes {
  const a: Attributes = {
    [ATTR.ACTION]: ACTION_APPLY_ASYNC,
    [ATTR.TASK_NAME]: info.taskName,
    [ATTR.MESSAGE_ID]: info.taskId,
    [ATTR.DESTINATION]: info.route.routingKey,
  };
  if (info.route.exchange !== '') a[ATTR.EXCHANGE] = info.route.exchange;
  if (info.retries > 0) a[ATTR.RETRIES] = info.retries;
  return a;
}

function runAttributes(info: TaskRunInfo): Attributes {
  const r = info.request;
  const a: Attributes = {
    [ATTR.ACTION]: ACTION_RUN,
    [ATTR.TASK_NAME]: r.name,
    [ATTR.MESSAGE_ID]: r.id,
    [ATTR.CONVERSATION_ID]: r.correlationId,
    [ATTR.DESTINATION]: info.delivery.routingKey,
    [ATTR.HOSTNAME]: info.hostname,
  };
  if (r.retries > 0) a[ATTR.RETRIES] = r.retries;
  if (r.eta) a[ATTR.ETA] = r.eta.toISOString();
  if (r.expires) a[ATTR.EXPIRES] = r.expires.toISOString();
  return a;
}

function record(span: Span, outcome: TaskRunOutcome): void {
  span.setAttribute(ATTR.STATE, STATE_OF[outcome.status] ?? outcome.status.toUpperCase());
  switch (outcome.status) {
    case 'failure':
    case 'requeued':
      fail(span, outcome.error);
      return;
    case 'retry':
      span.setAttribute(ATTR.RETRY_REASON, outcome.error.message);
      return;
    case 'revoked':
      span.setAttribute(ATTR.REVOKED_REASON, outcome.error.message);
      return;
    default:
  }
}

function fail(span: Span, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${e.name}: ${e.message}` });
}
