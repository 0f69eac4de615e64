/**
 * Moves a message the worker cannot run to `<queue>.dlq`: the original body and properties,
 * plus `x-celeriac-reason`, `x-celeriac-queue` and `x-celeriac-dead-lettered-at` headers (and
 * `x-celeriac-original-headers`, the raw bytes, when the headers could not be decoded). The
 * original is acked only after the broker confirmed the copy, so nothing disappears.
 */
import type { Delivery } from '../broker/broker.js';
import type { Broker } from '../broker/broker.js';
import { undecodableFields } from '../protocol/field-table/field-value.js';
import type { Topology } from '../producer/topology.js';

export async function deadLetter(broker: Broker, topology: Topology, delivery: Delivery, reason: string): Promise<void> {
  await topology.ensureDeadLetterQueue(delivery.queue);
  const original = delivery.properties;
  const headers: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(original.headers ?? {})) if (v !== undefined) headers[k] = v;
  headers['x-celeriac-reason'] = reason.length > 2000 ? reason.slice(0, 2000) + '…' : reason;
  headers['x-celeriac-queue'] = delivery.queue;
  headers['x-celeriac-dead-lettered-at'] = new Date().toISOString();
  // headers that could not be decoded travel as the bytes they arrived as, so nothing is lost
  const unreadable = undecodableFields(original.headers);
  if (unreadable) headers['x-celeriac-original-headers'] = unreadable.raw;
  const properties = { ...original, headers, deliveryMode: 2 as const };
  delete properties.expiration;
  await broker.publish({ exchange: '', routingKey: topology.deadLetterQueueName(delivery.queue) }, { body: delivery.body, properties });
}
