/**
 * The OpenTelemetry SDK for tests: W3C trace context and baggage propagators, the
 * AsyncLocalStorage context manager, and an in-memory exporter to read finished spans.
 */
import { context, propagation, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface Otel {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  spans(): ReadableSpan[];
  /** Finished spans with this name (waits until at least `count` are there). */
  waitFor(name: string, count?: number, timeoutMs?: number): Promise<ReadableSpan[]>;
  shutdown(): Promise<void>;
}

export function setupOtel(): Otel {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const spans = () => exporter.getFinishedSpans();
  return {
    exporter, provider, spans,
    async waitFor(name, count = 1, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = spans().filter((s) => s.name === name);
        if (found.length >= count) return found;
        if (Date.now() > end) throw new Error(`expected ${count} span(s) named ${name}; have: ${spans().map((s) => s.name).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** `00-<trace>-<span>-01` for a span context. */
export function traceparentOf(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-0${ctx.traceFlags.toString(16)}`;
}

/** The parent span id of a finished span (sdk 2.x keeps it in parentSpanContext). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export const silent = { debug() {}, info() {}, warn() {}, error() {} };
