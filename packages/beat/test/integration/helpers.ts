/** Shared helpers of the integration tests (real RabbitMQ and Redis). */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9';

/** A unique name for queues, lock names and Redis keys of one test. */
export function uniqueName(prefix = 'celeriac_beat_test'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export interface RedisClient {
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
}

/**
 * ioredis, loaded from @celeriac/core's own dependencies: @celeriac/beat does not depend on it
 * (RedisStore takes any client with the three commands it needs).
 */
export function newRedis(url = REDIS_URL): RedisClient {
  const coreEntry = fileURLToPath(import.meta.resolve('@celeriac/core'));
  const ioredis = createRequire(coreEntry)('ioredis') as { default: new (url: string, opts?: object) => RedisClient };
  return new ioredis.default(url, { maxRetriesPerRequest: 2, lazyConnect: false });
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
