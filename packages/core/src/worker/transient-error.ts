/**
 * Tells a passing failure (broker or result backend unreachable) from a permanent one (a value
 * that cannot be encoded, a malformed message, a bug). Only a passing failure may put a message
 * back on its queue; a permanent one would fail the same way on every redelivery. Pure.
 */
import { BufferFullError, ConnectionClosedError, PublishError } from '../errors/broker-errors.js';

/** Socket errors that say the other side is down or unreachable, not that the request was wrong. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ENETDOWN',
]);

/** What ioredis throws while it has no connection. */
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const REDIS_MESSAGES = ['Connection is closed.', "Stream isn't writeable"];

/**
 * True for errors that should go away by themselves: the broker connection is closed or its
 * publish buffer is full, RabbitMQ nacked a publish, a socket error, ioredis without a
 * connection, or any error marked `transient: true` (for custom backends). Looks through `cause`.
 */
export function isTransientError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    if (e instanceof ConnectionClosedError || e instanceof BufferFullError) return true;
    if (e instanceof PublishError && /nacked/.test(e.message)) return true;
    const { code, transient } = e as Error & { code?: unknown; transient?: unknown };
    if (transient === true) return true;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (REDIS_NAMES.has(e.name) || REDIS_MESSAGES.some((m) => e instanceof Error && e.message.startsWith(m))) return true;
    e = e.cause;
  }
  return false;
}
