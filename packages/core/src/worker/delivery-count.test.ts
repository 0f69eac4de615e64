import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BROKER_COUNT_HEADER, countedHeaders, countFrom, DELIVERY_COUNT_HEADER, failedDeliveries, LAST_ERROR_HEADER } from './delivery-count.js';

describe('delivery counting', () => {
  it('reads counts defensively', () => {
    expect(countFrom(3)).toBe(3);
    expect(countFrom(3n)).toBe(3);
    expect(countFrom('7')).toBe(7);
    for (const bad of [-1, 1.5, NaN, Infinity, 'x', '-2', null, undefined, {}, [], true]) expect(countFrom(bad)).toBe(0);
  });

  it('a first delivery has no failures; a redelivery has at least one more than the header says', () => {
    expect(failedDeliveries({}, false)).toBe(0);
    expect(failedDeliveries(undefined, true)).toBe(1);
    expect(failedDeliveries({ [DELIVERY_COUNT_HEADER]: 4 }, true)).toBe(5);
    // quorum queues: RabbitMQ's own count of returns since the copy was published
    expect(failedDeliveries({ [DELIVERY_COUNT_HEADER]: 4, [BROKER_COUNT_HEADER]: 3 }, true)).toBe(7);
    expect(failedDeliveries({ [BROKER_COUNT_HEADER]: 0 }, false)).toBe(0);
  });

  it('a counted copy reads back as exactly its count, keeps the other headers, and grows by one per redelivery', () => {
    fc.assert(fc.property(
      fc.dictionary(fc.string({ maxLength: 10 }).filter((k) => !k.startsWith('x-')), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 5 }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 50 }),
      (headers, count, brokerCount) => {
        const copy = countedHeaders({ ...headers, [BROKER_COUNT_HEADER]: brokerCount }, count, 'ConnectionClosedError: gone');
        expect(failedDeliveries(copy, false)).toBe(count);
        expect(failedDeliveries(copy, true)).toBe(count + 1);
        expect(copy[BROKER_COUNT_HEADER]).toBeUndefined();
        expect(copy[LAST_ERROR_HEADER]).toBe('ConnectionClosedError: gone');
        for (const [k, v] of Object.entries(headers)) if (k !== '__proto__') expect(copy[k]).toEqual(v);
      },
    ));
  });
});
