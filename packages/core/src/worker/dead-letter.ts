/**
 * Moves a message the worker cannot run to `<queue>.dlq`: the original body and properties,
 * plus `x-celeriac-reason`, `x-celeriac-queue` and `x-celeriac-dead-lettered-at` headers (and
 * `x-celeriac-original-headers`, the raw bytes, when the headers could not be decoded). The
 * original is acked only after the broker confirmed the copy, so nothing disappears. When the
 * original properties cannot be written again (a header value the AMQP encoder refuses), the
 * copy keeps its headers as text.
 */
import type { Delivery } from '../broker/broker.js';
import type { Broker } from '../broker/broker.js';
import { PublishError } from '../errors/broker-errors.js';
import { undecodableFields } from '../protocol/field-table/field-value.js';
import type { MessageProperties } from '../protocol/message.js';
import type { Topology } from '../producer/topology.js';
import { BROKER_COUNT_HEADER } from './delivery-count.js';

const MAX_REASON_LENGTH = 2000;

export async function deadLetter(broker: Broker, topology: Topology, delivery: Delivery, reason: string): Promise<void> {
  await topology.ensureDeadLetterQueue(delivery.queue);
  const original = delivery.properties;
  const headers: Record<string, unknown> = {};
  // RabbitMQ's count on a quorum queue belongs to the queue the message left; a copy sent back later starts afresh
  for (const [k, v] of Object.entries(original.headers ?? {})) if (v !== undefined && k !== BROKER_COUNT_HEADER) headers[k] = v;
  headers['x-celeriac-reason'] = reason.length > MAX_REASON_LENGTH ? reason.slice(0, MAX_REASON_LENGTH) + '…' : reason;
  headers['x-celeriac-queue'] = delivery.queue;
  headers['x-celeriac-dead-lettered-at'] = new Date().toISOString();
  // headers that could not be decoded travel as the bytes they arrived as, so nothing is lost
  const unreadable = undecodableFields(original.headers);
  if (unreadable) headers['x-celeriac-original-headers'] = unreadable.raw;
  const properties: MessageProperties = { ...original, headers, deliveryMode: 2 };
  delete properties.expiration;
  const route = { exchange: '', routingKey: topology.deadLetterQueueName(delivery.queue) };
  try {
    await broker.publish(route, { body: delivery.body, properties });
  } catch (err) {
    if (!(err instanceof PublishError) || !/encode/.test(err.message)) throw err;
    await broker.publish(route, { body: delivery.body, properties: asText(properties) });
  }
}

/** The same properties with every header value as a string and only the basic fields kept. */
function asText(p: MessageProperties): MessageProperties {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers)) headers[k] = typeof v === 'string' ? v : stringify(v);
  return { contentType: String(p.contentType ?? ''), contentEncoding: String(p.contentEncoding ?? ''), headers, deliveryMode: 2 };
}

function stringify(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
