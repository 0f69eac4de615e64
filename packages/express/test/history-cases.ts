/**
 * One conformance suite for task history stores, run against the memory store (unit test)
 * and the Redis store (integration test): paging, filters, counts and bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskHistory } from '../src/history/task-history.js';
import { blankTask, type TrackedTask } from '../src/task-monitor.js';

export interface HistoryFactory {
  make(bounds?: { maxBytes?: number; maxAgeSeconds?: number }): Promise<TaskHistory>;
  /** Waits until asynchronous writes are visible. */
  settle(h: TaskHistory): Promise<void>;
}

const STATES = ['PENDING', 'RECEIVED', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED'];

function task(i: number, over: Partial<TrackedTask> = {}): TrackedTask {
  const uuid = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return { ...blankTask(uuid), name: `tasks.t${i % 3}`, state: STATES[i % STATES.length]!, worker: `w${i % 2}@h`, args: `(${i},)`, timestamp: i, ...over };
}

async function all(h: TaskHistory, q: Parameters<TaskHistory['query']>[0], pageSize: number): Promise<TrackedTask[]> {
  const out: TrackedTask[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await h.query({ ...q, limit: pageSize, cursor });
    out.push(...page.tasks);
    if (page.next === null) return out;
    cursor = page.next;
  }
  throw new Error('paging never ended');
}

export function historyConformance(name: string, f: HistoryFactory): void {
  describe(`task history: ${name}`, () => {
    it('pages through every task once, most recently changed first, whatever the page size', async () => {
      await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(119), { maxLength: 20 }), async (n, pageSize, touched) => {
        const h = await f.make();
        for (let i = 0; i < n; i++) h.record(task(i));
        const order = Array.from({ length: n }, (_, i) => i);
        for (const i of touched.filter((t) => t < n)) {
          h.record(task(i, { state: 'SUCCESS' }));
          order.splice(order.indexOf(i), 1);
          order.push(i);
        }
        await f.settle(h);
        const got = await all(h, {}, pageSize);
        expect(got.map((t) => t.uuid)).toEqual(order.reverse().map((i) => task(i).uuid));
        await h.close();
      }), { numRuns: 15 });
    });

    it('filters by state, name glob, worker, id prefix, root, text and time, and counts states', async () => {
      const h = await f.make();
      for (let i = 0; i < 30; i++) h.record(task(i, i === 7 ? { result: "'needle'", root_id: task(3).uuid } : {}));
      await f.settle(h);
      const ids = (ts: TrackedTask[]) => ts.map((t) => t.uuid).sort();
      const expected = (pred: (i: number) => boolean) => Array.from({ length: 30 }, (_, i) => i).filter(pred).map((i) => task(i).uuid).sort();
      expect(ids(await all(h, { state: 'FAILURE' }, 7))).toEqual(expected((i) => i % STATES.length === 4));
      expect(ids(await all(h, { name: 'tasks.t1' }, 7))).toEqual(expected((i) => i % 3 === 1));
      expect(ids(await all(h, { name: 'tasks.*' }, 7))).toHaveLength(30);
      expect(ids(await all(h, { worker: 'w0@h', state: 'PENDING' }, 7))).toEqual(expected((i) => i % 2 === 0 && i % STATES.length === 0));
      expect(ids(await all(h, { id: task(12).uuid.slice(0, 8) }, 7))).toEqual([task(12).uuid]);
      expect(ids(await all(h, { text: 'NEEDLE' }, 7))).toEqual([task(7).uuid]);
      expect(ids(await all(h, { rootId: task(3).uuid }, 7))).toEqual([task(3).uuid, task(7).uuid].sort());
      expect(await all(h, { from: Date.now() / 1000 + 60 }, 7)).toEqual([]);
      expect(ids(await all(h, { from: Date.now() / 1000 - 60, to: Date.now() / 1000 + 60 }, 7))).toHaveLength(30);
      const counts = await h.counts();
      expect(counts.SUCCESS).toBe(expected((i) => i % STATES.length === 3).length);
      h.record(task(3, { state: 'SUCCESS' })); // 3 was SUCCESS already; 4 moves FAILURE → SUCCESS
      h.record(task(4, { state: 'SUCCESS' }));
      await f.settle(h);
      const after = await h.counts();
      expect(after.SUCCESS).toBe(counts.SUCCESS! + 1);
      expect(after.FAILURE ?? 0).toBe(counts.FAILURE! - 1);
      expect(await h.get(task(4).uuid)).toMatchObject({ state: 'SUCCESS' });
      expect(await h.get('nope')).toBeNull();
      await h.close();
    });

    it('keeps within its byte bound by dropping the oldest', async () => {
      const h = await f.make({ maxBytes: 20_000 });
      const big = 'x'.repeat(900);
      for (let i = 0; i < 100; i++) h.record(task(i, { args: big }));
      await f.settle(h);
      const kept = await all(h, {}, 50);
      expect(kept.length).toBeGreaterThan(5);
      expect(kept.length).toBeLessThan(25);
      expect(kept[0]!.uuid).toBe(task(99).uuid); // the newest stay
      const counts = await h.counts();
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(kept.length);
      await h.close();
    });

    it('forgets tasks older than its age bound', async () => {
      const h = await f.make({ maxAgeSeconds: 1 });
      h.record(task(1));
      await f.settle(h);
      expect((await h.query({})).tasks).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 1300));
      h.record(task(2)); // any write trims
      await f.settle(h);
      expect((await h.query({})).tasks.map((t) => t.uuid)).toEqual([task(2).uuid]);
      await h.close();
    });
  });
}
