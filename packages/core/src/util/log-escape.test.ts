import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeForLog } from './log-escape.js';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

describe('escapeForLog', () => {
  it('turns a forged log line and terminal escapes into visible text', () => {
    expect(escapeForLog('t.add\n[2026-01-01] INFO forged')).toBe('t.add\\n[2026-01-01] INFO forged');
    expect(escapeForLog('\x1b[31mred\x1b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(escapeForLog('a\u2028b\u202ec')).toBe('a\\u2028b\\u202ec');
  });

  it('never lets an unsafe character through, keeps safe text as it is, and bounds the length', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (s, max) => {
      const out = escapeForLog(s, max);
      expect(UNSAFE.test(out)).toBe(false);
      expect(out.length).toBeLessThanOrEqual(max * 6 + 40);
      if (!UNSAFE.test(s) && s.length <= max) expect(out).toBe(s);
    }));
  });
});
