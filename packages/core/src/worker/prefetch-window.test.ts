import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { desiredPrefetch, PrefetchWindow } from './prefetch-window.js';

describe('prefetch window', () => {
  it('grows by one per held ETA task up to etaTaskLimit, and closes while the buffers pass maxBufferedBytes', () => {
    const base = { base: 32, etaHeld: 0, etaTaskLimit: null, bufferedBytes: 0, maxBufferedBytes: 1000 };
    expect(desiredPrefetch(base)).toBe(32);
    expect(desiredPrefetch({ ...base, etaHeld: 500 })).toBe(532);
    expect(desiredPrefetch({ ...base, etaHeld: 500, etaTaskLimit: 10 })).toBe(42);
    expect(desiredPrefetch({ ...base, bufferedBytes: 1000 })).toBe(1);
    expect(desiredPrefetch({ ...base, base: 0 })).toBe(0);
    expect(desiredPrefetch({ ...base, base: 0, bufferedBytes: 5000 })).toBe(1);
  });

  it('never exceeds base + etaTaskLimit, and tells the broker only when the value changes', async () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.nat(10_000), fc.nat(100), fc.nat(2000), (b, held, limit, bytes) => {
      const n = desiredPrefetch({ base: b, etaHeld: held, etaTaskLimit: limit, bufferedBytes: bytes, maxBufferedBytes: 1000 });
      expect(n).toBeLessThanOrEqual(b + limit);
      expect(n).toBeGreaterThanOrEqual(1);
    }));
    const applied: number[] = [];
    const w = new PrefetchWindow(8, async (n) => void applied.push(n));
    const state = { base: 8, etaHeld: 0, etaTaskLimit: null, bufferedBytes: 0, maxBufferedBytes: 100 };
    w.sync(state);
    w.sync({ ...state, bufferedBytes: 150 });
    w.sync({ ...state, bufferedBytes: 160 });
    expect(w.closed).toBe(true);
    w.sync({ ...state, bufferedBytes: 10, etaHeld: 1 });
    await new Promise((r) => setTimeout(r, 10));
    expect(applied).toEqual([1, 9]);
    expect(w.closed).toBe(false);
  });
});
