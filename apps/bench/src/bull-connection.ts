/** BullMQ's connection options, in a module of their own: a worker child of another kind must not load BullMQ (its RSS is measured). */
import type { ConnectionOptions } from 'bullmq';

/** ioredis options from a `redis://host:port/db` URL; a worker needs `maxRetriesPerRequest: null` (BullMQ says so). */
export function bullConnection(redisUrl: string, blocking: boolean): ConnectionOptions {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(blocking ? { maxRetriesPerRequest: null } : {}),
  };
}
