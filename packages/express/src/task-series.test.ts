import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskSeries } from './task-series.js';

describe('TaskSeries', () => {
  it('counts each event in its step, drops what is older than the window, and keeps totals', () => {
    fc.assert(fc.property(fc.array(fc.record({ age: fc.integer({ min: 0, max: 200 }), kind: fc.constantFrom('task-received', 'task-succeeded', 'task-failed', 'task-retried', 'task-started'), runtime: fc.double({ min: 0, max: 5, noNaN: true }) }), { maxLength: 300 }), (events) => {
      const now = 1_700_000_000_000;
      const s = new TaskSeries(10, 12); // two minutes
      // events arrive in time order, as from one event queue
      for (const e of [...events].sort((a, b) => b.age - a.age)) s.observe({ type: e.kind, hostname: 'w', timestamp: now / 1000 - e.age, runtime: e.runtime });
      const points = s.points(12, now);
      expect(points).toHaveLength(12);
      const firstStep = points[0]!.t;
      const inWindow = events.filter((e) => now / 1000 - e.age >= firstStep);
      const sum = (k: 'received' | 'succeeded' | 'failed' | 'retried') => points.reduce((a, p) => a + p[k], 0);
      expect(sum('received')).toBe(inWindow.filter((e) => e.kind === 'task-received').length);
      expect(sum('succeeded')).toBe(inWindow.filter((e) => e.kind === 'task-succeeded').length);
      expect(sum('failed')).toBe(inWindow.filter((e) => e.kind === 'task-failed').length);
      for (const p of points) if (p.runtimeMax !== null) expect(p.runtimeAvg!).toBeLessThanOrEqual(p.runtimeMax + 1e-9);
    }), { numRuns: 300 });
  });
});
