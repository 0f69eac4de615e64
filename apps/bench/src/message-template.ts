/**
 * The message the raw amqplib baselines publish: a Celeriac task message for `bench.noop`,
 * built once with core's own protocol functions, so the baseline carries the same body,
 * header table and persistence as every task the Celeriac producer sends.
 */
import { randomUUID } from 'node:crypto';
import { buildTaskMessage, createJsonCodec } from '@celeriac/core';
import type { Options } from 'amqplib';

export const NOOP_TASK = 'bench.noop';

export interface MessageTemplate {
  body: Buffer;
  options: Options.Publish;
}

/** `args` is a five-digit number: the average width of the indices the Celeriac runs send. */
export function taskMessageTemplate(replyTo: string): MessageTemplate {
  const codec = createJsonCodec();
  const id = randomUUID();
  const built = buildTaskMessage({ id, name: NOOP_TASK, args: [12_345], kwargs: {}, origin: `gen${process.pid}@bench`, replyTo, priority: 0 });
  return {
    body: codec.encode(built.body),
    options: {
      contentType: codec.contentType,
      contentEncoding: codec.contentEncoding,
      headers: built.headers,
      deliveryMode: 2,
      priority: built.properties.priority,
      correlationId: built.properties.correlationId,
      replyTo: built.properties.replyTo,
    },
  };
}
