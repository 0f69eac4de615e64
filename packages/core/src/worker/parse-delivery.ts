/** Turns a delivery into a task request: readable headers, accepted and decoded body, a valid task message. Throws otherwise. */
import type { Delivery } from '../broker/broker.js';
import { InvalidTaskMessageError } from '../errors/task-errors.js';
import { undecodableFields } from '../protocol/field-table/field-value.js';
import { parseTaskMessage } from '../protocol/parse-task-message.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { CodecRegistry } from '../serialization/codec-registry.js';

export function parseDelivery(codecs: CodecRegistry, delivery: Delivery): TaskRequest {
  const headers = delivery.properties.headers ?? {};
  const unreadable = undecodableFields(headers);
  if (unreadable) throw new InvalidTaskMessageError(`the AMQP headers could not be read: ${unreadable.reason}`);
  const body = codecs.decode(delivery.properties.contentType, delivery.body, headers.compression);
  return parseTaskMessage({
    headers, body,
    correlationId: delivery.properties.correlationId, replyTo: delivery.properties.replyTo, priority: delivery.properties.priority,
  });
}
