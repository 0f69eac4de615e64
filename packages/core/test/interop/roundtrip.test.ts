/**
 * Header tables and JSON bodies across every value range that breaks naive codecs, both ways
 * through real py-amqp and kombu (interop/python/roundtrip.py) on the real RabbitMQ:
 * Node → Python → Node and Python → Node → Python. Cases are generated with fast-check;
 * CELERIAC_INTEROP_RUNS sets how many per direction (default 150), CELERIAC_INTEROP_SEED
 * replays a failing run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker, createCodecRegistry, EncodeError, type Delivery } from '../../src/index.js';
import { AMQP_URL, unique, until } from '../helpers/env.js';
import { HARNESS, PYTHON } from '../helpers/python.js';
import {
  afterPythonBody, afterPythonHeader, nodeBodyValue, nodeHeaderValue, nodeReads, pythonBodySpec, pythonHeaderSpec,
  pythonReadsBody, pythonReadsHeader, sameSpec, type Spec,
} from '../helpers/python-values.js';

const RUNS = Number(process.env.CELERIAC_INTEROP_RUNS ?? 150);
const SEED = Number(process.env.CELERIAC_INTEROP_SEED ?? Date.now() % 2 ** 31);
const json = createCodecRegistry().get('json');
const headerKey = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((k) => Buffer.byteLength(k) <= 255 && k !== '!');

function roundtrip(args: string[]): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [join(HARNESS, 'roundtrip.py'), ...args], { env: { ...process.env, INTEROP_BROKER: AMQP_URL, PYTHONDONTWRITEBYTECODE: '1' }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? reject(new Error(`roundtrip.py ${args[0]} failed: ${stderr.slice(-3000)}`)) : resolve(stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>))));
  });
}

/** Collects `count` deliveries from `queue`, acking each; `onEach` may publish a reply first. */
async function collect(broker: AmqpBroker, queue: string, count: number, onEach: (d: Delivery) => Promise<void> = async () => undefined): Promise<Delivery[]> {
  const got: Delivery[] = [];
  const sub = await broker.consume([queue], (d) => {
    void onEach(d).then(() => {
      got.push(d);
      d.ack();
    });
  }, { prefetch: 200 });
  await until(() => got.length >= count, 90_000, 50);
  await sub.cancel();
  return got;
}

describe(`header tables and JSON bodies through py-amqp and kombu (${RUNS} cases each way, seed ${SEED})`, () => {
  const broker = new AmqpBroker({ url: AMQP_URL });
  const queues = [unique('rt_a'), unique('rt_b'), unique('rt_c'), unique('rt_d')];
  const [toPython, fromPython, toNode, backToPython] = queues as [string, string, string, string];

  beforeAll(async () => {
    for (const name of queues) await broker.declareQueue({ name, durable: true, autoDelete: false });
  });

  /** The first delivery on `queue`, settled by `settle`. */
  async function collectWith(queue: string, settle: (d: Delivery) => void): Promise<Delivery[]> {
    const got: Delivery[] = [];
    const sub = await broker.consume([queue], (d) => {
      got.push(d);
      settle(d);
    }, { prefetch: 1 });
    await until(() => got.length === 1, 10_000);
    await sub.cancel();
    return got;
  }

  afterAll(async () => {
    for (const name of queues) await broker.deleteQueue(name).catch(() => undefined);
    await broker.close();
  });

  it('Node → Python → Node: Python reads every value as written, and what it sends back reads the same', async () => {
    const cases = fc.sample(fc.record({ headers: fc.dictionary(headerKey, nodeHeaderValue, { maxKeys: 6 }), body: nodeBodyValue }), { numRuns: RUNS, seed: SEED });
    const python = roundtrip(['echo', '--in', toPython, '--out', fromPython, '--count', String(cases.length)]);
    const back = collect(broker, fromPython, cases.length);
    for (const [i, c] of cases.entries()) {
      await broker.publish({ exchange: '', routingKey: toPython }, {
        body: json.encode(c.body),
        properties: { contentType: json.contentType, contentEncoding: json.contentEncoding, headers: c.headers, correlationId: String(i) },
      });
    }
    const seen = new Map((await python).map((line) => [Number(line.id), line]));
    for (const [i, c] of cases.entries()) {
      const line = seen.get(i);
      const where = `case ${i} of seed ${SEED}: ${JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
      expect(sameSpec(line?.headers as Spec, pythonReadsHeader(c.headers)), `${where}\nPython read headers ${JSON.stringify(line?.headers)}`).toBe(true);
      expect(sameSpec(line?.body as Spec, pythonReadsBody(c.body)), `${where}\nPython read body ${JSON.stringify(line?.body)}`).toBe(true);
    }
    for (const d of await back) {
      const c = cases[Number(d.properties.correlationId)]!;
      expect(d.properties.headers, `headers back, seed ${SEED}`).toEqual(afterPythonHeader(c.headers));
      expect(json.decode(d.body), `body back, seed ${SEED}`).toEqual(afterPythonBody(c.body));
    }
  });

  it('Python → Node → Python: Celeriac reads every value py-amqp and kombu write, and Python reads back what it sent', async () => {
    const cases = fc.sample(fc.record({ headers: fc.dictionary(headerKey, pythonHeaderSpec, { maxKeys: 6 }), body: pythonBodySpec }), { numRuns: RUNS, seed: SEED + 1 })
      .map((c, i) => ({ id: String(i), ...c }));
    const file = join(mkdtempSync(join(tmpdir(), 'celeriac-rt-')), 'cases.json');
    writeFileSync(file, JSON.stringify(cases));
    const mismatches: string[] = [];
    const relay = collect(broker, toNode, cases.length, async (d) => {
      const c = cases[Number(d.properties.correlationId)]!;
      const body = json.decode(d.body);
      const wantHeaders = nodeReads({ dict: c.headers });
      try {
        expect(d.properties.headers).toEqual(wantHeaders);
        expect(body).toEqual(nodeReads(c.body));
      } catch (err) {
        mismatches.push(`case ${c.id} of seed ${SEED + 1}: sent ${JSON.stringify(c)}\nCeleriac read ${inspect({ headers: d.properties.headers, body }, { depth: null })}\n${(err as Error).message}`);
      }
      await broker.publish({ exchange: '', routingKey: backToPython }, {
        body: json.encode(body),
        properties: { contentType: json.contentType, contentEncoding: json.contentEncoding, headers: d.properties.headers, correlationId: d.properties.correlationId },
      });
    });
    const lines = await roundtrip(['origin', '--out', toNode, '--back', backToPython, '--cases', file]);
    await relay;
    expect(mismatches).toEqual([]);
    const bad = lines.filter((l) => l.ok !== true).map((l) => ({ sent: cases[Number(l.id)], got: l.got }));
    expect(bad, `seed ${SEED + 1}`).toEqual([]);
    expect(lines).toHaveLength(cases.length);
  });

  it('reads every integer right after RabbitMQ re-encodes the headers (a dead-letter hop writes them all as l)', async () => {
    const [src, dst] = [unique('rt_dlx_src'), unique('rt_dlx_dst')];
    const headers = { a: 300, b: -(2 ** 40), c: 2 ** 40, d: -(2n ** 63n), e: 2n ** 63n - 1n, f: [-(2 ** 31) - 1, 2 ** 31] };
    try {
      await broker.declareQueue({ name: dst, durable: true, autoDelete: false });
      await broker.declareQueue({ name: src, durable: true, autoDelete: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dst } });
      await broker.publish({ exchange: '', routingKey: src }, { body: Buffer.from('{}'), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers } });
      const [first] = await collectWith(src, (d) => d.reject(false));
      expect(first!.properties.headers).toEqual(headers);
      const [dead] = await collectWith(dst, (d) => d.ack());
      const got = dead!.properties.headers as Record<string, unknown> & { 'x-death': { count: unknown; time: unknown }[] };
      expect(Object.fromEntries(Object.entries(got).filter(([k]) => !k.startsWith('x-')))).toEqual(headers);
      expect(got['x-death'][0]).toMatchObject({ count: 1, queue: src, reason: 'rejected', time: expect.any(Date) });
    } finally {
      for (const name of [src, dst]) await broker.deleteQueue(name).catch(() => undefined);
    }
  });

  it('refuses NaN, Infinity and bigints beyond 64 bits in headers at send time, and the connection stays up', async () => {
    const send = (headers: Record<string, unknown>) => broker.publish({ exchange: '', routingKey: toPython }, {
      body: Buffer.from('{}'), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers },
    });
    const before = broker.stats();
    await expect(send({ timelimit: [NaN, 1800] })).rejects.toThrow(EncodeError);
    await expect(send({ x: { y: Infinity } })).rejects.toThrow(/"x"\."y": Infinity cannot travel in an AMQP header/);
    await expect(send({ big: 2n ** 64n })).rejects.toThrow(/"big": 18446744073709551616 does not fit in 64 bits/);
    await send({ fine: 1 });
    expect(broker.stats().disconnects).toBe(before.disconnects);
    await broker.purgeQueue(toPython);
  });
});
