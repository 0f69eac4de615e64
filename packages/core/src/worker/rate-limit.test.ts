import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/task-errors.js';
import { parseRateLimit, TokenBucket } from './rate-limit.js';

describe('rate limits', () => {
  it('parses Celery rate strings', () => {
    expect(parseRateLimit('10/s')).toBe(10);
    expect(parseRateLimit('120/m')).toBe(2);
    expect(parseRateLimit('3600/h')).toBe(1);
    expect(parseRateLimit('5')).toBe(5);
    expect(parseRateLimit(2.5)).toBe(2.5);
    for (const off of [null, undefined, 0, '0', '', '0/m']) expect(parseRateLimit(off)).toBeNull();
    expect(() => parseRateLimit('fast')).toThrow(ConfigurationError);
    expect(() => parseRateLimit(-1)).toThrow(ConfigurationError);
  });

  it('lets a burst of one second through, then spaces tasks evenly', () => {
    const b = new TokenBucket(2, 0);
    expect([b.take(0), b.take(0)]).toEqual([0, 0]);
    expect(b.take(0)).toBe(500);
    expect(b.take(499)).toBe(2);
    expect(b.take(500)).toBe(0);
    expect(b.take(600)).toBe(400);
  });

  it('waits the full period for slow rates', () => {
    const b = new TokenBucket(1 / 60, 0);
    expect(b.take(0)).toBe(0);
    expect(b.take(1000)).toBe(59_000);
    expect(b.take(60_000)).toBe(0);
  });
});
