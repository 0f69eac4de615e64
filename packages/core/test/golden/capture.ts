/** Test helpers: load golden fixtures and capture what Celeriac's producer publishes on a memory broker. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, MemoryBroker, type CeleriacApp, type Delivery } from '../../src/index.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures');

/** One set of captured fixtures and what its Celery version adds to every task message. */
export interface FixtureSet {
  name: string;
  dir: string;
  /** Headers this version writes that Celeriac's producer leaves out (the worker reads them with defaults). */
  newHeaders: readonly string[];
  /**
   * Takes out of a captured message what this version does differently from 5.2 where Celeriac's
   * producer keeps 5.2's way (which this version's worker reads just as well).
   */
  align(scenario: string, message: WireMessage): WireMessage;
}

/**
 * Celery 5.6 numbers the members of a plain group (`group_index` 0, 1…; 5.2 sends null, as
 * Celeriac does: only chords use it), copies the chord's group id into the body's options, and
 * keeps custom headers when a task retries (5.2 drops them, as Celeriac does).
 */
function alignWith52(scenario: string, m: WireMessage): WireMessage {
  if (scenario === 'retry-republished' && m.headers) {
    const { x_custom: _custom, ...headers } = m.headers;
    const { x_custom: _type, ...types } = m.header_types ?? {};
    return { ...m, headers, header_types: types };
  }
  if (scenario === 'group' && m.headers) {
    return { ...m, headers: { ...m.headers, group_index: null }, header_types: { ...m.header_types, group_index: 'V' } };
  }
  if (scenario === 'chord') {
    const body = JSON.parse(m.body) as [unknown, unknown, { chord?: { options?: Record<string, unknown> } }];
    if (body[2].chord?.options) delete body[2].chord.options.group_id;
    return { ...m, body: JSON.stringify(body) };
  }
  return m;
}

/** Celery 5.2.6 (Debian, captured here) and Celery 5.6.2 (captured elsewhere, copied in). */
export const FIXTURE_SETS: readonly FixtureSet[] = [
  { name: 'Celery 5.2.6', dir: FIXTURES, newHeaders: [], align: (_scenario, m) => m },
  { name: 'Celery 5.6.2', dir: join(FIXTURES, 'celery-5.6'), newHeaders: ['replaced_task_nesting', 'stamped_headers', 'stamps'], align: alignWith52 },
];

export interface WireMessage {
  delivery_info?: { exchange: string; routing_key: string };
  properties: Record<string, unknown>;
  headers: Record<string, unknown> | null;
  header_types?: Record<string, string>;
  body: string;
}

export interface Fixture extends WireMessage {
  scenario: string;
  sent_at: string;
  messages?: WireMessage[];
}

export function fixture(name: string, set: FixtureSet = FIXTURE_SETS[0]!): Fixture {
  return JSON.parse(readFileSync(join(set.dir, 'celery-v2', `${name}.json`), 'utf8')) as Fixture;
}

export function resultFixtures(set: FixtureSet = FIXTURE_SETS[0]!): { name: string; data: Record<string, unknown> }[] {
  const dir = join(set.dir, 'results');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ name: f, data: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
}

export function messagesOf(f: Fixture): WireMessage[] {
  return f.messages ?? [f];
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** An app on a memory broker and backend, plus a function returning every message published to `queue`. */
export function capturingApp(queue: string): { app: CeleriacApp; take: () => Promise<Delivery[]> } {
  const broker = new MemoryBroker();
  const app = createApp({ broker, backend: 'memory://', defaultQueue: queue, logger: silent });
  const take = async () => {
    await new Promise((r) => setTimeout(r, 5));
    const got: Delivery[] = [];
    const sub = await broker.consume([queue], (d) => {
      got.push(d);
      d.ack();
    }, { prefetch: 0 });
    await new Promise((r) => setTimeout(r, 20));
    await sub.cancel();
    return got;
  };
  return { app, take };
}

/** Delivery → the fixture's wire shape (snake_case property names, body text). */
export function toWire(d: Delivery): WireMessage {
  const p = d.properties;
  const props: Record<string, unknown> = {
    content_type: p.contentType,
    content_encoding: p.contentEncoding,
    delivery_mode: p.deliveryMode,
    priority: p.priority,
    correlation_id: p.correlationId,
    reply_to: p.replyTo,
    expiration: p.expiration,
  };
  for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
  return { delivery_info: { exchange: d.exchange, routing_key: d.routingKey }, properties: props, headers: p.headers, body: d.body.toString('utf8') };
}

/** The JSON type a header value has on the wire, in the fixture's AMQP type-code alphabet (ints and floats collapse). */
export function typeCode(v: unknown): string {
  if (v === null) return 'V';
  if (typeof v === 'string') return 'S';
  if (typeof v === 'boolean') return 't';
  if (typeof v === 'number') return Number.isInteger(v) ? 'I' : 'd';
  if (Array.isArray(v)) return `A[${v.map(typeCode).join(',')}]`;
  return 'F';
}

export function normaliseCode(code: string): string {
  return code.replace(/\bL\b/g, 'I').replace(/F\{[^}]*\}/g, 'F');
}
