/**
 * The ScheduleStore conformance suite: every store runs these same cases
 * (memory-store.test.ts, file-store.test.ts, test/integration/redis-store.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntryState, ScheduleStore } from './schedule-store.js';

export interface StoreFixture {
  store: ScheduleStore;
  /** A second store over the same storage (a restarted process), when the store persists. */
  reopen?: () => Promise<ScheduleStore>;
  cleanup(): Promise<void>;
}

const A: EntryState = { lastRunAt: 1_780_000_000_123, totalRunCount: 0 };
const B: EntryState = { lastRunAt: 1_780_000_010_123, totalRunCount: 1 };
const C: EntryState = { lastRunAt: 1_780_000_020_123, totalRunCount: 2 };

export function describeScheduleStore(name: string, make: () => Promise<StoreFixture>): void {
  describe(`ScheduleStore conformance: ${name}`, () => {
    let fx: StoreFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.store.close();
      await fx.cleanup();
    });

    it('starts empty', async () => {
      expect(await fx.store.load()).toEqual(new Map());
    });

    it('claims an entry without state once', async () => {
      expect(await fx.store.claim('e', undefined, A)).toBe(true);
      expect(await fx.store.claim('e', undefined, B)).toBe(false);
      expect(await fx.store.load()).toEqual(new Map([['e', A]]));
    });

    it('moves an entry on only from the state it still holds', async () => {
      await fx.store.claim('e', undefined, A);
      expect(await fx.store.claim('e', A, B)).toBe(true);
      expect(await fx.store.claim('e', A, C)).toBe(false); // stale: someone already moved it to B
      expect(await fx.store.claim('e', { lastRunAt: B.lastRunAt, totalRunCount: 9 }, C)).toBe(false);
      expect((await fx.store.load()).get('e')).toEqual(B);
      expect(await fx.store.claim('e', B, C)).toBe(true);
      expect((await fx.store.load()).get('e')).toEqual(C);
    });

    it('lets exactly one of several concurrent claims of the same run win', async () => {
      await fx.store.claim('e', undefined, A);
      const results = await Promise.all([1, 2, 3, 4, 5].map((n) => fx.store.claim('e', A, { lastRunAt: B.lastRunAt + n, totalRunCount: 1 })));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('keeps entries apart and removes them', async () => {
      await fx.store.claim('a', undefined, A);
      await fx.store.claim('b', undefined, B);
      await fx.store.claim('c', undefined, C);
      await fx.store.remove(['a', 'c', 'missing']);
      expect(await fx.store.load()).toEqual(new Map([['b', B]]));
      await fx.store.remove([]);
      expect((await fx.store.load()).size).toBe(1);
    });

    it('hands out copies: changing a loaded map changes nothing stored', async () => {
      await fx.store.claim('e', undefined, A);
      const loaded = await fx.store.load();
      loaded.set('e', C);
      loaded.set('x', C);
      expect(await fx.store.load()).toEqual(new Map([['e', A]]));
    });

    it('keeps the state for the next process (when it persists)', async (ctx) => {
      if (!fx.reopen) return ctx.skip();
      await fx.store.claim('e', undefined, A);
      await fx.store.claim('e', A, B);
      const again = await fx.reopen();
      try {
        expect(await again.load()).toEqual(new Map([['e', B]]));
        expect(await again.claim('e', B, C)).toBe(true);
        expect((await fx.store.load()).get('e')).toEqual(C);
      } finally {
        await again.close();
      }
    });

    it('can be closed twice', async () => {
      await fx.store.close();
      await fx.store.close();
    });
  });
}
