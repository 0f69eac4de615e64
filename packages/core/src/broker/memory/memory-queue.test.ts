import { describe, expect, it } from 'vitest';
import { MemoryQueue, type StoredMessage } from './memory-queue.js';

const msg = (n: number, priority = 0): StoredMessage => ({
  body: Buffer.from(String(n)), properties: { contentType: 'x', contentEncoding: 'x', headers: {}, priority },
  exchange: '', routingKey: 'q', redelivered: false, expiresAt: null,
});
const num = (m: StoredMessage | undefined) => Number(m?.body.toString());

describe('MemoryQueue', () => {
  it('keeps FIFO order across many messages, with requeued ones back at the front', () => {
    const q = new MemoryQueue({ name: 'q' });
    for (let i = 0; i < 5000; i++) q.push(msg(i));
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) out.push(num(q.shift(0)));
    q.push(msg(-1), true); // a reject(requeue) goes back to the head
    expect(num(q.shift(0))).toBe(-1);
    for (let i = 0; i < 2000; i++) out.push(num(q.shift(0)));
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(q.size).toBe(0);
    expect(q.shift(0)).toBeUndefined();
  });

  it('serves the highest priority first with x-max-priority and drops expired messages', () => {
    const q = new MemoryQueue({ name: 'q', arguments: { 'x-max-priority': 9 } });
    q.push(msg(1, 1));
    q.push({ ...msg(99, 9), expiresAt: 5 });
    q.push(msg(5, 5));
    expect([num(q.shift(10)), num(q.shift(10))]).toEqual([5, 1]);
    expect(q.size).toBe(0);
    expect(q.shift(10)).toBeUndefined();
  });
});
