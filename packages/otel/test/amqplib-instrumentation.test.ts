/**
 * On RabbitMQ with `@opentelemetry/instrumentation-amqplib` also on: a Celeriac publish makes
 * one PRODUCER span (ours) and the message carries its `traceparent`, not a second one from
 * amqplib's `send` span. The control case (suppression off) shows amqplib's instrumentation
 * really is active here and would otherwise overwrite the header.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { SpanKind } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CeleriacApp } from '@celeriac/core';
import { celeriacOtel, type CeleriacOtelOptions } from '../src/index.js';
import { setupOtel, silent, traceparentOf, type Otel } from './otel-setup.js';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

describe('with amqplib instrumentation on', () => {
  let otel: Otel;
  let unregister: () => void;
  let core: typeof import('@celeriac/core');
  const apps: { app: CeleriacApp; queue: string }[] = [];

  beforeAll(async () => {
    otel = setupOtel();
    unregister = registerInstrumentations({ instrumentations: [new AmqplibInstrumentation()] });
    // loaded after the instrumentation hooked require(), through require() (CommonJS build), as
    // the hooks of instrumentation-amqplib see only require()d amqplib files
    core = createRequire(import.meta.url)('@celeriac/core') as typeof import('@celeriac/core');
  });

  afterAll(async () => {
    for (const { app, queue } of apps) {
      await app.broker.deleteQueue(queue).catch(() => undefined);
      await app.broker.deleteExchange(queue).catch(() => undefined);
      await app.broker.deleteExchange(`${queue}_ev`).catch(() => undefined);
      await app.close();
    }
    unregister();
    await otel.shutdown();
  });

  /** PRODUCER spans amqplib's instrumentation made for messages to `queue` (its consumer spans are expected). */
  const amqplibSpans = (queue: string) => otel.spans().filter((s) => s.instrumentationScope.name.includes('instrumentation-amqplib')
    && s.kind === SpanKind.PRODUCER && s.attributes['messaging.rabbitmq.routing_key'] === queue);

  async function sendOne(options: CeleriacOtelOptions): Promise<{ headers: Record<string, unknown>; id: string; queue: string }> {
    const queue = `celeriac_otel_test_${randomBytes(4).toString('hex')}`;
    const app = core.createApp({
      broker: AMQP_URL, backend: null, defaultQueue: queue, eventExchange: `${queue}_ev`, logger: silent, instrumentation: [celeriacOtel(options)],
    });
    apps.push({ app, queue });
    let seen: Record<string, unknown> | null = null;
    app.task('t.probe', function () {
      seen = this.headers;
    });
    const worker = app.worker({ queues: [queue], control: false });
    await worker.start();
    const r = await app.sendTask('t.probe');
    const end = Date.now() + 10_000;
    while (seen === null && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    await worker.stop();
    expect(seen).not.toBeNull();
    return { headers: seen!, id: r.id, queue };
  }

  it('sends one traceparent, from the apply_async span, and no amqplib send span', async () => {
    otel.exporter.reset();
    const { headers, id, queue } = await sendOne({});
    const producer = otel.spans().find((s) => s.name === 'apply_async/t.probe' && s.attributes['messaging.message.id'] === id)!;
    expect(headers.traceparent).toBe(traceparentOf(producer.spanContext()));
    expect((headers.headers as Record<string, unknown>).traceparent).toBe(headers.traceparent);
    expect(amqplibSpans(queue)).toEqual([]);
    const run = (await otel.waitFor('run/t.probe')).find((s) => s.attributes['messaging.message.id'] === id)!;
    expect(run.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
  });

  it('(control) without suppression amqplib adds its own send span and overwrites traceparent', async () => {
    otel.exporter.reset();
    const { headers, id, queue } = await sendOne({ suppressTransportSpans: false });
    const producer = otel.spans().find((s) => s.name === 'apply_async/t.probe' && s.attributes['messaging.message.id'] === id)!;
    const sends = amqplibSpans(queue);
    expect(sends.length).toBeGreaterThan(0);
    expect(headers.traceparent).not.toBe(traceparentOf(producer.spanContext()));
  });
});
