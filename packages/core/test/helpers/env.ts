/** Shared settings for tests that talk to the real RabbitMQ and Redis. */
import { randomBytes } from 'node:crypto';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9';
export const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A unique name so parallel tests never share (or delete) each other's queues. */
export function unique(prefix: string): string {
  return `celeriac_test_${prefix}_${randomBytes(4).toString('hex')}`;
}

export function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        if (await cond()) return resolve();
      } catch (err) {
        return reject(err);
      }
      if (Date.now() > deadline) return reject(new Error(`condition not met within ${timeoutMs} ms`));
      setTimeout(tick, stepMs);
    };
    void tick();
  });
}
