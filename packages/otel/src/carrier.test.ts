import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { celeryGetter, celerySetter } from './carrier.js';

const key = fc.constantFrom('traceparent', 'tracestate', 'baggage', 'sentry-trace');
const value = fc.string({ minLength: 1, maxLength: 60 });

describe('celery carrier', () => {
  it('reads back what it wrote, at the top level and in the nested table, and adds nothing else', () => {
    fc.assert(fc.property(fc.dictionary(key, value, { minKeys: 1 }), fc.boolean(), (fields, mirror) => {
      const headers: Record<string, unknown> = { id: 'x', task: 't' };
      const set = celerySetter(mirror);
      for (const [k, v] of Object.entries(fields)) set.set(headers, k, v);
      for (const [k, v] of Object.entries(fields)) {
        expect(celeryGetter.get(headers, k)).toBe(v);
        expect(headers[k]).toBe(v);
        if (mirror) expect((headers.headers as Record<string, unknown>)[k]).toBe(v);
      }
      expect(Object.keys(headers).sort()).toEqual(['id', 'task', ...Object.keys(fields), ...(mirror ? ['headers'] : [])].sort());
    }), { numRuns: 300 });
  });

  it('reads a nested-only context (Sentry, dd-trace), prefers the top level, and reads bytes', () => {
    expect(celeryGetter.get({ headers: { traceparent: 'nested' } }, 'traceparent')).toBe('nested');
    expect(celeryGetter.get({ traceparent: 'top', headers: { traceparent: 'nested' } }, 'traceparent')).toBe('top');
    expect(celeryGetter.get({ traceparent: Buffer.from('bytes') }, 'traceparent')).toBe('bytes');
    expect(celeryGetter.get({ headers: 'not a table' }, 'traceparent')).toBeUndefined();
    expect(celeryGetter.keys({ a: 1, headers: { b: 2 } }).sort()).toEqual(['a', 'b', 'headers']);
  });

  it('leaves a header named "headers" that is not a table alone', () => {
    const h: Record<string, unknown> = { headers: 'custom' };
    celerySetter(true).set(h, 'traceparent', 'x');
    expect(h).toEqual({ headers: 'custom', traceparent: 'x' });
  });
});
