import { describe, expect, it } from 'vitest';
import { BufferFullError } from '../../errors/broker-errors.js';
import { Publisher } from './publisher.js';

const message = (bytes: number) => ({ body: Buffer.alloc(bytes), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: {} } });
const route = { exchange: '', routingKey: 'q' };

describe('offline publish buffer', () => {
  it('is bounded by bytes as well as by count while there is no channel', async () => {
    const p = new Publisher(1000, 10_000);
    const pending = [p.publish(route, message(4000)), p.publish(route, message(4000))];
    const refused = await p.publish(route, message(4000)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BufferFullError);
    expect(refused).toMatchObject({ unit: 'bytes', limit: 10_000 });
    expect(p.buffered).toBe(2);
    expect(p.bufferedBytes).toBe(8000);
    // a smaller one still fits
    pending.push(p.publish(route, message(2000)));
    expect(p.bufferedBytes).toBe(10_000);
    p.failAll('closed');
    expect(p.bufferedBytes).toBe(0);
    await Promise.allSettled(pending);
  });

  it('is still bounded by count', async () => {
    const p = new Publisher(2, Infinity);
    const pending = [p.publish(route, message(1)), p.publish(route, message(1))];
    await expect(p.publish(route, message(1))).rejects.toMatchObject({ unit: 'messages', limit: 2 });
    p.failAll('closed');
    await Promise.allSettled(pending);
  });
});
