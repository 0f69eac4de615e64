import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisTaskHistory } from '../../src/history/redis-history.js';
import { historyConformance } from '../history-cases.js';
import { REDIS_URL } from '../support.js';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

historyConformance('redis', {
  async make(bounds) {
    const prefix = `celeriac_express_test:history:${randomBytes(4).toString('hex')}:`;
    prefixes.push(prefix);
    return new RedisTaskHistory({ redis, prefix, flushMs: 20, ...bounds });
  },
  settle: (h) => (h as RedisTaskHistory).flush(),
});
