/**
 * Traces on the memory broker with the OpenTelemetry SDK's in-memory exporter: PRODUCER and
 * CONSUMER spans with Celery's names and attributes, the context in the message (top level
 * and nested), and children, chain steps and retries nested under the right parent.
 */
import { SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chain, createApp, type CeleriacApp, type Worker } from '@celeriac/core';
import { celeriacOtel } from '../src/index.js';
import { parentOf, setupOtel, silent, traceparentOf, type Otel } from './otel-setup.js';

describe('traces on the memory broker', () => {
  let otel: Otel;
  let app: CeleriacApp;
  let worker: Worker;
  const seenHeaders = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    otel = setupOtel();
    app = createApp({ broker: 'memory://', backend: 'memory://', logger: silent, instrumentation: [celeriacOtel()] });
    const add = app.task('t.add', function (x: number, y: number) {
      seenHeaders.set(this.id, this.headers);
      return x + y;
    });
    app.task('t.parent', async () => (await add.delay(1, 1)).id);
    app.task('t.flaky', function () {
      if (this.retries === 0) this.retry({ countdown: 0, exc: new Error('not yet') });
      return 'ok';
    });
    app.task('t.fail', () => {
      throw new TypeError('broken');
    });
    worker = app.worker({ concurrency: 4 });
    await worker.start();
  });

  afterAll(async () => {
    await worker.stop();
    await app.close();
    await otel.shutdown();
  });

  beforeEach(() => otel.exporter.reset());

  it('sends apply_async/<task> as PRODUCER and runs run/<task> as its CONSUMER child, with Celery attributes', async () => {
    const tracer = trace.getTracer('test');
    const r = await tracer.startActiveSpan('request', async (span: Span) => {
      try {
        return await app.sendTask('t.add', [2, 3]);
      } finally {
        span.end();
      }
    });
    expect(await r.get({ timeout: 2000 })).toBe(5);
    const [producer] = await otel.waitFor('apply_async/t.add');
    const [consumer] = await otel.waitFor('run/t.add');
    const [request] = await otel.waitFor('request');
    expect(producer!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(producer!)).toBe(request!.spanContext().spanId);
    expect(consumer!.kind).toBe(SpanKind.CONSUMER);
    expect(consumer!.spanContext().traceId).toBe(request!.spanContext().traceId);
    expect(parentOf(consumer!)).toBe(producer!.spanContext().spanId);
    expect(producer!.attributes).toMatchObject({ 'celery.action': 'apply_async', 'celery.task_name': 't.add', 'messaging.message.id': r.id, 'messaging.destination': 'celery' });
    expect(consumer!.attributes).toMatchObject({ 'celery.action': 'run', 'celery.task_name': 't.add', 'messaging.message.id': r.id, 'celery.state': 'SUCCESS', 'celery.hostname': worker.hostname });
    // the message carried the producer's context at the top level and in the nested table, once
    const headers = seenHeaders.get(r.id)!;
    expect(headers.traceparent).toBe(traceparentOf(producer!.spanContext()));
    expect((headers.headers as Record<string, unknown>).traceparent).toBe(headers.traceparent);
  });

  it('carries baggage through the message', async () => {
    const bag = propagation.createBaggage({ tenant: { value: 'acme' } });
    const r = await context.with(propagation.setBaggage(context.active(), bag), () => app.sendTask('t.add', [1, 2]));
    await r.get({ timeout: 2000 });
    expect(seenHeaders.get(r.id)!.baggage).toBe('tenant=acme');
  });

  it('nests a child task, the next chain step and a retry under the run that sent them', async () => {
    const parent = await app.sendTask('t.parent');
    const childId = (await parent.get({ timeout: 2000 })) as string;
    const runs = await otel.waitFor('run/t.add');
    const [parentRun] = await otel.waitFor('run/t.parent');
    const childSend = otel.spans().find((s) => s.name === 'apply_async/t.add' && s.attributes['messaging.message.id'] === childId)!;
    expect(parentOf(childSend)).toBe(parentRun!.spanContext().spanId);
    expect(runs.find((s) => s.attributes['messaging.message.id'] === childId)!.spanContext().traceId).toBe(parentRun!.spanContext().traceId);

    otel.exporter.reset();
    const add = app.signature<[number, number], number>('t.add');
    const c = await chain(add.s(1, 2), add.s(3)).applyAsync();
    expect(await c.get({ timeout: 2000 })).toBe(6);
    const [first, second] = (await otel.waitFor('run/t.add', 2)).sort((a, b) => a.startTime[1] - b.startTime[1] + (a.startTime[0] - b.startTime[0]) * 1e9);
    const secondSend = otel.spans().find((s) => s.name === 'apply_async/t.add' && s.attributes['messaging.message.id'] === second!.attributes['messaging.message.id'])!;
    expect(parentOf(secondSend)).toBe(first!.spanContext().spanId);
    expect(parentOf(second!)).toBe(secondSend.spanContext().spanId);

    otel.exporter.reset();
    const f = await app.sendTask('t.flaky');
    expect(await f.get({ timeout: 5000 })).toBe('ok');
    const flakyRuns = await otel.waitFor('run/t.flaky', 2);
    const retried = flakyRuns.find((s) => s.attributes['celery.state'] === 'RETRY')!;
    const succeeded = flakyRuns.find((s) => s.attributes['celery.state'] === 'SUCCESS')!;
    expect(retried.attributes['celery.retry.reason']).toBe('not yet');
    const retrySend = otel.spans().filter((s) => s.name === 'apply_async/t.flaky').find((s) => s.attributes['celery.retries'] === 1)!;
    expect(parentOf(retrySend)).toBe(retried.spanContext().spanId);
    expect(parentOf(succeeded)).toBe(retrySend.spanContext().spanId);
    expect(succeeded.attributes['celery.retries']).toBe(1);
  });

  it('marks a failed task as an error with the exception', async () => {
    const r = await app.sendTask('t.fail');
    await r.get({ timeout: 2000 }).catch(() => undefined);
    const [run] = await otel.waitFor('run/t.fail');
    expect(run!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'TypeError: broken' });
    expect(run!.attributes['celery.state']).toBe('FAILURE');
    expect(run!.events.map((e) => e.name)).toContain('exception');
  });

  it('continues a trace whose context is only in the nested headers table (Sentry, dd-trace)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    const plain = createApp({ broker: app.broker, backend: app.backend, logger: silent }); // no instrumentation: sends as is
    const r = await plain.sendTask('t.add', [1, 1], {}, { headers: { headers: { traceparent: `00-${traceId}-${spanId}-01` } } });
    await r.get({ timeout: 2000 });
    const run = (await otel.waitFor('run/t.add')).find((s) => s.attributes['messaging.message.id'] === r.id)!;
    expect(run.spanContext().traceId).toBe(traceId);
    expect(parentOf(run)).toBe(spanId);
  });
});
