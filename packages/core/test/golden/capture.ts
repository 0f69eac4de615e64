/** Test helpers: load golden fixtures and capture what Celeriac's producer publishes on a memory broker. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, MemoryBroker, type CeleriacApp, type Delivery } from '../../src/index.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures');

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

export function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, 'celery-v2', `${name}.json`), 'utf8')) as Fixture;
}

export function resultFixtures(): { name: string; data: Record<string, unknown> }[] {
  const dir = join(FIXTURES, 'results');
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
