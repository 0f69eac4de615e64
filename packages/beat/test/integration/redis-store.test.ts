import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { describeScheduleStore } from '../../src/store/schedule-store.cases.js';
import { newRedis, uniqueName, type RedisClient } from './helpers.js';

const clients: RedisClient[] = [];
function client(): RedisClient {
  const c = newRedis();
  clients.push(c);
  return c;
}
afterAll(async () => {
  for (const c of clients) await c.quit();
});

describeScheduleStore('RedisStore (real Redis)', async () => {
  const key = uniqueName('celeriac:beat:test');
  const c = client();
  return {
    store: new RedisStore({ client: c, key }),
    reopen: async () => new RedisStore({ client: client(), key }),
    cleanup: async () => {
      await c.del(key);
    },
  };
});

describe('RedisStore across processes', () => {
  it('lets exactly one of two clients claim the same run', async () => {
    const key = uniqueName('celeriac:beat:test');
    const a = new RedisStore({ client: client(), key });
    const b = new RedisStore({ client: client(), key });
    try {
      await a.claim('e', undefined, { lastRunAt: 1000, totalRunCount: 0 });
      for (let round = 0; round < 20; round++) {
        const prev = (await a.load()).get('e')!;
        const next = { lastRunAt: prev.lastRunAt + 1000, totalRunCount: prev.totalRunCount + 1 };
        const won = await Promise.all([a.claim('e', prev, next), b.claim('e', prev, next)]);
        expect(won.filter(Boolean)).toHaveLength(1);
      }
      expect((await b.load()).get('e')).toEqual({ lastRunAt: 21_000, totalRunCount: 20 });
    } finally {
      await clients[0]!.del(key);
    }
  });

  it('treats a field that is not a state as no state (and can claim it)', async () => {
    const key = uniqueName('celeriac:beat:test');
    const c = client();
    const store = new RedisStore({ client: c, key });
    try {
      await c.eval("redis.call('HSET', KEYS[1], 'e', 'garbage')", 1, key);
      expect(await store.load()).toEqual(new Map());
      expect(await store.claim('e', undefined, { lastRunAt: 5, totalRunCount: 0 })).toBe(true);
      expect(await store.load()).toEqual(new Map([['e', { lastRunAt: 5, totalRunCount: 0 }]]));
    } finally {
      await c.del(key);
    }
  });

  it('quits the client on close only when asked to', async () => {
    const c = client();
    await new RedisStore({ client: c, key: uniqueName('celeriac:beat:test') }).close();
    expect(await c.get('celeriac:beat:test:nothing')).toBeNull(); // still usable
    const owned = newRedis();
    await new RedisStore({ client: owned, key: 'x', closeClient: true }).close();
    await expect(owned.get('x')).rejects.toThrow();
  });
});
