import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createJsonCodec } from '../serialization/json-codec.js';
import { MAX_REPR_DEPTH, pythonRepr, resultRepr } from './python-repr.js';
import fixture from './result-repr.cases.json' with { type: 'json' };

const json = createJsonCodec();

describe('resultRepr (Celery saferepr with resultrepr_maxsize)', () => {
  it.each(fixture.cases.map((c) => [c.json.slice(0, 40), c] as const))('matches Python for %s', (_label, { json: text, repr }) => {
    expect(resultRepr(json.decode(Buffer.from(text)), 1024)).toBe(repr);
  });

  it('costs a slice, not the value: a 50 MB string gives ~1 KB quickly', () => {
    const big = 'x'.repeat(50 * 1024 * 1024);
    const t0 = performance.now();
    const r = resultRepr(big);
    expect(r.length).toBeLessThanOrEqual(1024 + 5);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('never writes much more than maxLength, whatever the value', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 1, max: 300 }), (value, max) => {
      // saferepr may overshoot by the closing brackets of the open containers and ", ..."
      expect(resultRepr(value, max).length).toBeLessThanOrEqual(max + 64);
    }), { numRuns: 300 });
  });
});

describe('pythonRepr depth', () => {
  it(`stops at ${MAX_REPR_DEPTH} levels instead of overflowing the stack on 100,000`, () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = pythonRepr(deep);
    expect(r.startsWith('['.repeat(MAX_REPR_DEPTH))).toBe(true);
    expect(r).toContain('[...]');
    expect(resultRepr(deep)).toBe('[[[[...]]]]');
  });
});
