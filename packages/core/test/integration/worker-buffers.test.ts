/**
 * The worker's reserved and ETA buffers are bounded on RabbitMQ: by count with `etaTaskLimit`
 * (Celery 5.6's `worker_eta_task_limit`), and by bytes with `maxBufferedBytes` (the prefetch
 * window closes while the buffers are full). On quorum queues RabbitMQ applies a prefetch only
 * to consumers started after it, so the window stays at its base size (as Celery says: "the
 * prefetch becomes static"), which bounds the buffers too. Everything still runs exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { currentTask } from '../../src/index.js';
import { until } from '../helpers/env.js';
import { depth } from '../helpers/dead-letters.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

for (const quorum of [false, true]) {
  describe(`worker buffers on a ${quorum ? 'quorum' : 'classic'} queue`, () => {
    let t: TestApp;
    afterEach(async () => t?.cleanup());

    function setup() {
      t = rabbitApp({ prefix: quorum ? 'buffers_q' : 'buffers_c', quorumQueues: quorum, nativeDelayedDelivery: false });
      const runs = new Map<string, number>();
      const task = t.app.task('t.eta', (_payload: string) => {
        const { id } = currentTask();
        runs.set(id, (runs.get(id) ?? 0) + 1);
        return null;
      });
      return { app: t.app, queue: t.queue, runs, task };
    }

    it('holds at most maxBufferedBytes of ETA messages (plus what was in flight), then runs them all once', async () => {
      const { app, queue, runs, task } = setup();
      await app.topology.ensureTaskQueue(queue);
      const size = 100 * 1024;
      const limit = 1024 * 1024;
      const payload = 'p'.repeat(size);
      const eta = new Date(Date.now() + 4000);
      const sent = [];
      for (let i = 0; i < 60; i++) sent.push(await task.applyAsync([payload], { eta }));
      const worker = app.worker({ concurrency: 2, prefetchMultiplier: 2, maxBufferedBytes: limit });
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, worker.bufferedBytes)), 5);
      await worker.start();
      await until(() => worker.scheduled.size > 0, 10_000);
      await new Promise((r) => setTimeout(r, 1000)); // the window had time to fill: it must have closed
      expect(await depth(app, queue)).toBeGreaterThan(0);
      await until(() => runs.size === 60, 60_000, 50);
      clearInterval(sampler);
      if (quorum) {
        expect(peak).toBeLessThanOrEqual(4 * (size + 1024)); // the static window: 4 messages
      } else {
        // a few deliveries may be in flight when the window closes
        expect(peak).toBeLessThanOrEqual(limit + 6 * size);
        expect(peak).toBeGreaterThanOrEqual(limit);
      }
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      expect(sent.every((r) => runs.has(r.id))).toBe(true);
      await worker.stop();
    }, 90_000);

    it('raises the prefetch window by at most etaTaskLimit for held ETA tasks', async () => {
      const { app, queue, runs, task } = setup();
      await app.topology.ensureTaskQueue(queue);
      const eta = new Date(Date.now() + 2500);
      for (let i = 0; i < 40; i++) await task.applyAsync(['x'], { eta });
      const worker = app.worker({ concurrency: 1, prefetchMultiplier: 2, etaTaskLimit: 5 });
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, worker.scheduled.size)), 5);
      await worker.start();
      await until(() => runs.size === 40, 60_000, 50);
      clearInterval(sampler);
      expect(peak).toBeLessThanOrEqual(quorum ? 2 : 2 + 5);
      if (!quorum) expect(peak).toBeGreaterThanOrEqual(3);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      await worker.stop();
    }, 90_000);
  });
}
