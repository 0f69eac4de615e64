import { describe, expect, it } from 'vitest';
import { LogLimiter } from './log-limiter.js';

function capture() {
  const lines: string[] = [];
  const logger = { debug: (m: string) => lines.push(m), info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  return { lines, logger };
}

describe('LogLimiter', () => {
  it('writes a burst per key and window, then says how many lines it left out', () => {
    const { lines, logger } = capture();
    let now = 0;
    const log = new LogLimiter(logger, { burst: 3, intervalMs: 1000, now: () => now });
    for (let i = 0; i < 1000; i++) log.log('error', 'poison', `line ${i}`);
    log.log('error', 'other', 'a different event');
    expect(lines).toEqual(['line 0', 'line 1', 'line 2', 'a different event']);
    now = 1500;
    log.log('error', 'poison', 'next window');
    expect(lines.slice(4)).toEqual(['997 more "poison" log lines left out in the last 2s', 'next window']);
    log.log('error', 'poison', 'x');
    log.log('error', 'poison', 'y');
    log.log('error', 'poison', 'z');
    log.flush();
    expect(lines.at(-1)).toBe('1 more "poison" log lines left out in the last 1s');
  });
});
