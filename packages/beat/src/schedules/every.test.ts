import { describe, expect, it } from 'vitest';
import { ScheduleConfigError } from '../errors.js';
import { at } from './at.js';
import { every } from './every.js';

describe('every()', () => {
  it('runs one interval after the last run, on the anchor phase', () => {
    const s = every(10_000);
    expect(s.initialLastRun(1_000)).toBe(1_000);
    expect(s.nextAfter(1_000)).toBe(11_000);
    expect(s.lastDue(1_000, 10_999)).toBeNull();
    expect(s.lastDue(1_000, 11_000)).toBe(11_000);
    expect(s.lastDue(1_000, 45_500)).toBe(41_000); // missed 11s, 21s, 31s: the latest is 41s
    expect(s.toString()).toBe('every 10s');
    expect(every(90 * 60_000).toString()).toBe('every 90m');
  });

  it('rejects intervals that are not positive numbers', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => every(bad)).toThrow(ScheduleConfigError);
  });
});

describe('at()', () => {
  const time = Date.parse('2026-05-01T12:00:00Z');

  it('runs once at its time', () => {
    const s = at(new Date(time));
    expect(s.nextAfter(time - 5000)).toBe(time);
    expect(s.nextAfter(time)).toBeNull();
    expect(s.lastDue(time - 5000, time + 1)).toBe(time);
    expect(s.lastDue(time, time + 1)).toBeNull();
    expect(at('2026-05-01T14:00:00+02:00').time).toBe(time);
    expect(at(time).time).toBe(time);
  });

  it('starts a new entry before its time when that time is past, so the run counts as missed', () => {
    const s = at(time);
    expect(s.initialLastRun(time + 60_000)).toBe(time - 1);
    expect(s.initialLastRun(time - 60_000)).toBe(time - 60_000);
  });

  it('rejects what is not a time', () => {
    expect(() => at('next tuesday')).toThrow(ScheduleConfigError);
  });
});
