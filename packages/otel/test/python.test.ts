/**
 * One trace across Python and Node, against real Python Celery (interop/python):
 * - Python → Node: a message carrying the headers `opentelemetry-instrumentation-celery`
 *   writes (top-level `traceparent`, `tracestate`, `baggage`) runs in a Node span whose parent
 *   is the Python span;
 * - Node → Python: a Python task reads Node's context on `self.request.traceparent` (and in
 *   the nested `headers` table).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CeleriacApp, type Worker } from '@celeriac/core';
import { celeriacOtel } from '../src/index.js';
import { parentOf, setupOtel, silent, traceparentOf, type Otel } from './otel-setup.js';

const INTEROP = fileURLToPath(new URL('../../../interop/python/', import.meta.url));
const PYTHON = process.env.CELERIAC_PYTHON ?? '/usr/bin/python3';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const run = promisify(execFile);

describe('one trace across Python and Node', () => {
  const ns = `celeriac_otel_it_${randomBytes(4).toString('hex')}`;
  const pyQueue = `${ns}_py`;
  const nodeQueue = `${ns}_node`;
  const pyNode = `${ns}_py@${hostname()}`;
  const env = { ...process.env, INTEROP_QUEUE: pyQueue, INTEROP_NS: ns, INTEROP_BACKEND: 'rpc://', INTEROP_BROKER: `${AMQP_URL}//`, PYTHONDONTWRITEBYTECODE: '1' };
  const drive = async (...args: string[]) => JSON.parse((await run(PYTHON, [`${INTEROP}drive.py`, ...args], { env, cwd: INTEROP, timeout: 60_000 })).stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  let otel: Otel;
  let app: CeleriacApp;
  let worker: Worker;
  let python: ChildProcess;
  let pythonExited: Promise<void>;
  const seen = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    otel = setupOtel();
    python = spawn(`${INTEROP}worker.sh`, [pyNode, pyQueue], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    python.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    pythonExited = new Promise((resolve) => python.once('exit', () => resolve()));
    app = createApp({
      broker: AMQP_URL, backend: 'rpc://', defaultQueue: nodeQueue, controlExchange: ns, eventExchange: `${ns}_ev`, logger: silent,
      instrumentation: [celeriacOtel()],
    });
    app.task('node.probe', function () {
      seen.set(this.id, this.headers);
      return 'ok';
    });
    worker = app.worker({ queues: [nodeQueue], hostname: `${ns}_node@${hostname()}` });
    await worker.start();
    await drive('ping', '--wait', '60', '--destination', pyNode).catch((err: Error) => {
      throw new Error(`the Python worker did not answer: ${err.message}\n${stderr}`, { cause: err });
    });
  }, 90_000);

  afterAll(async () => {
    python?.kill('SIGTERM');
    await pythonExited;
    await worker?.stop();
    await drive('cleanup', '--queue', nodeQueue).catch(() => undefined);
    for (const q of [nodeQueue, pyQueue]) {
      await app.broker.deleteQueue(q).catch(() => undefined);
      await app.broker.deleteExchange(q).catch(() => undefined);
    }
    await app.close();
    await otel.shutdown();
  }, 30_000);

  it('continues the trace of a message sent with the Python instrumentation\'s headers', async () => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const headers = { traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'python=1', baggage: 'tenant=acme' };
    // what `inject(headers)` in the instrumentation's before_task_publish handler leaves in the message
    const sent = await drive('call', 'node.probe', '--queue', nodeQueue, '--headers', JSON.stringify(headers), '--timeout', '30');
    expect(sent.result).toBe('ok');
    const id = sent.id as string;
    expect(seen.get(id)).toMatchObject(headers);
    const runSpan = (await otel.waitFor('run/node.probe')).find((s) => s.attributes['messaging.message.id'] === id)!;
    expect(runSpan.spanContext().traceId).toBe(traceId);
    expect(parentOf(runSpan)).toBe(spanId);
    expect(runSpan.parentSpanContext?.isRemote).toBe(true);
    expect(runSpan.parentSpanContext?.traceState?.get('python')).toBe('1');
  });

  it('gives a Python task the Node context on self.request.traceparent', async () => {
    const bag = propagation.createBaggage({ tenant: { value: 'acme' } });
    const { result, producer } = await trace.getTracer('test').startActiveSpan('node request', async (span) => {
      try {
        const r = await context.with(propagation.setBaggage(context.active(), bag), () => app.sendTask('proto.trace_context', [], {}, { queue: pyQueue }));
        return { result: (await r.get({ timeout: 30_000 })) as Record<string, unknown>, producer: r.id };
      } finally {
        span.end();
      }
    });
    const send = otel.spans().find((s) => s.name === 'apply_async/proto.trace_context' && s.attributes['messaging.message.id'] === producer)!;
    expect(result.traceparent).toBe(traceparentOf(send.spanContext()));
    expect(result.baggage).toBe('tenant=acme');
    expect(result.nested).toMatchObject({ traceparent: result.traceparent, baggage: 'tenant=acme' });
  });
});
