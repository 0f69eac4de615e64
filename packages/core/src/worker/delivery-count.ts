/**
 * How many times a task message was delivered without an outcome, for every queue type.
 *
 * RabbitMQ's own count (`x-delivery-count`) exists only on quorum queues, and since RabbitMQ
 * 4.3 it no longer grows when a consumer's channel dies, which is what a worker crash looks
 * like. What every queue type does have is the `redelivered` flag: RabbitMQ sets it on a message
 * that went to a consumer before and came back unacknowledged (crash, lost connection, requeue).
 * So the worker keeps the count in the message itself: when a redelivered message arrives, it
 * publishes a copy carrying `x-celeriac-delivery-count` = count + 1 and acks the original,
 * before decoding or running anything. The count is persistent (it is part of a durable
 * message), survives any number of crashes, and is shared by every worker on the queue. Pure.
 */

/** Deliveries that ended without an outcome before this one, written by the worker. */
export const DELIVERY_COUNT_HEADER = 'x-celeriac-delivery-count';
/** The last passing error that made a worker put the message back (`Name: message`). */
export const LAST_ERROR_HEADER = 'x-celeriac-last-error';
/** RabbitMQ's count on quorum queues. */
export const BROKER_COUNT_HEADER = 'x-delivery-count';

const MAX_COUNT = 1_000_000;

/** A count from a header: a non-negative integer (number, bigint or digits), else 0. */
export function countFrom(value: unknown): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && /^\d{1,7}$/.test(value)) n = Number(value);
  else return 0;
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_COUNT) : 0;
}

/**
 * Deliveries of this message that ended without an outcome: the worker's header, plus what
 * happened since it was written, which is RabbitMQ's quorum count, or at least one when the
 * message comes back `redelivered`.
 */
export function failedDeliveries(headers: Readonly<Record<string, unknown>> | undefined, redelivered: boolean): number {
  const ours = countFrom(headers?.[DELIVERY_COUNT_HEADER]);
  const broker = countFrom(headers?.[BROKER_COUNT_HEADER]);
  return Math.min(MAX_COUNT, ours + Math.max(broker, redelivered ? 1 : 0));
}

/** Headers for a copy of the message that records `count` failed deliveries (and why, when known). */
export function countedHeaders(headers: Readonly<Record<string, unknown>> | undefined, count: number, lastError?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined && k !== BROKER_COUNT_HEADER) out[k] = v;
  out[DELIVERY_COUNT_HEADER] = count;
  if (lastError !== undefined) out[LAST_ERROR_HEADER] = lastError.length > 500 ? `${lastError.slice(0, 500)}…` : lastError;
  return out;
}
