/** Reads what a worker moved to `<queue>.dlq` (acking it), for tests that assert how messages ended. */
import type { CeleriacApp, Delivery } from '../../src/index.js';
import { until } from './env.js';

/** Waits until `<queue>.dlq` holds `count` messages, then consumes and returns them all. */
export async function takeDeadLetters(app: CeleriacApp, queue: string, count: number, timeoutMs = 30_000): Promise<Delivery[]> {
  const dlq = app.topology.deadLetterQueueName(queue);
  await until(async () => ((await app.broker.inspectQueue(dlq))?.messageCount ?? 0) >= count, timeoutMs, 100);
  const seen: Delivery[] = [];
  const sub = await app.broker.consume([dlq], (d) => {
    seen.push(d);
    d.ack();
  }, { prefetch: 500 });
  await until(() => seen.length >= count, timeoutMs);
  await sub.close();
  return seen;
}

/** The `x-celeriac-reason` header of a dead-lettered message. */
export const reasonOf = (d: Delivery): string => String(d.properties.headers['x-celeriac-reason'] ?? '');

/** Messages in the queue right now (ready, not unacknowledged). */
export async function depth(app: CeleriacApp, queue: string): Promise<number> {
  return (await app.broker.inspectQueue(queue))?.messageCount ?? 0;
}
