import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logText } from './log-text.js';

describe('logText', () => {
  it('never lets a line break, escape or bidi control through, and keeps printable text as it is', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const out = logText(s);
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      // eslint-disable-next-line no-control-regex
      if (!/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/.test(s)) expect(out).toBe(s);
    }), { numRuns: 500 });
  });

  it('writes escapes a reader can recognise, and cuts long text', () => {
    expect(logText('tasks.add\nTask forged[1] succeeded')).toBe('tasks.add\\x0aTask forged[1] succeeded');
    expect(logText('\u202eevil')).toBe('\\u202eevil');
    expect(logText('x'.repeat(20), 5)).toBe('xxxxx…');
  });
});
