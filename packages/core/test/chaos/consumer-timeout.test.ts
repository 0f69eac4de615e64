/**
 * A task longer than RabbitMQ's consumer timeout, on a private node with `consumer_timeout = 4000`
 * (RabbitMQ 3.10 here, which ignores the per-consumer `x-consumer-timeout` argument, so the
 * worker's own guard is what is tested): the broker closes the channel and delivers the message
 * again while the task still runs; the worker recognises the copy, does not run it a second
 * time, and acks it with the task's outcome. The task runs once, its result is stored, the queue
 * ends empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CeleriacApp } from '../../src/index.js';
import { REDIS_URL, silent, unique, until } from '../helpers/env.js';
import { POOL_TASKS } from '../helpers/pool.js';
// @ts-expect-error a plain ES module fixture, without types
import { defineTasks } from '../fixtures/pool/pool-tasks.mjs';
import { startRabbitNode, type RabbitNode } from './rabbit-node.js';

describe('long tasks and the consumer timeout', () => {
  let node: RabbitNode;
  let app: CeleriacApp | null = null;

  beforeAll(async () => {
    node = await startRabbitNode({
      name: 'celeriac_ctimeout', port: 5700,
      config: 'consumer_timeout = 4000',
      advanced: '[{rabbit, [{channel_tick_interval, 1000}]}]',
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await node?.stop();
  }, 60_000);

  for (const pool of ['threads', 'async'] as const) {
    it(`-P ${pool}: a 10 s task with a 4 s consumer timeout runs once and its message ends acked`, async () => {
      const queue = unique(`ctimeout_${pool}`);
      app = createApp({
        broker: node.url, backend: REDIS_URL, defaultQueue: queue, logger: silent, controlExchange: `${queue}_ctl`, eventExchange: `${queue}_ev`,
        amqp: { reconnectBaseMs: 100, reconnectMaxMs: 1000 }, nativeDelayedDelivery: false,
      });
      (defineTasks as (a: unknown) => void)(app);
      const closed: string[] = [];
      app.broker.events.on('error', (e) => closed.push(e.message));
      const worker = app.worker({ pool, tasksModule: POOL_TASKS, concurrency: 2 });
      const starts: string[] = [];
      worker.events.on('task-started', (req) => starts.push(req.id));
      await worker.start();
      const r = await app.sendTask(pool === 'threads' ? 'pool.spin' : 'pool.sleep', [10_000]);
      expect(await r.get({ timeout: 30_000 })).toBe(10_000);
      // the broker did take the delivery back at least once while the task ran
      expect(closed.some((m) => /PRECONDITION|timed out|closed by the broker/i.test(m))).toBe(true);
      expect(worker.counters.get('running_copy')).toBeGreaterThanOrEqual(1);
      expect(starts).toEqual([r.id]);
      await until(async () => (await app!.broker.inspectQueue(queue))?.messageCount === 0, 10_000);
      await worker.stop();
      // nothing was left unacknowledged: after the worker's channel closed the queue is still empty
      expect((await app.broker.inspectQueue(queue))?.messageCount).toBe(0);
      console.log(`[chaos] -P ${pool}: 10 s task, consumer_timeout 4 s: runs ${starts.length}, copies held ${worker.counters.get('running_copy')}, channels closed by the broker ${closed.length}`);
      await app.broker.deleteQueue(queue);
      await app.close();
      app = null;
    }, 90_000);
  }
});
