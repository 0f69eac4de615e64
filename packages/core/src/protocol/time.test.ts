import { describe, it, expect } from 'vitest';
import { DecodeError, EncodeError } from '../errors/serialization-errors.js';
import { etaFromCountdown, expiresFrom, formatCeleryDate, parseCeleryDate, utcoffsetHoursWest } from './time.js';

const iso = (d: Date): string => d.toISOString();

describe('formatCeleryDate', () => {
  it('writes UTC with six fraction digits and +00:00', () => {
    expect(formatCeleryDate(new Date('2026-11-27T15:52:08.172Z'))).toBe('2026-11-27T15:52:08.172000+00:00');
    expect(formatCeleryDate(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05.000000+00:00');
  });

  it('converts from the local representation to UTC', () => {
    expect(formatCeleryDate(new Date(Date.UTC(2024, 11, 31, 23, 59, 59, 999)))).toBe(
      '2024-12-31T23:59:59.999000+00:00',
    );
  });

  it('pads years below 1000 to four digits', () => {
    const date = new Date(Date.UTC(2000, 0, 1));
    date.setUTCFullYear(42);
    expect(formatCeleryDate(date)).toBe('0042-01-01T00:00:00.000000+00:00');
  });

  it('refuses dates Python cannot represent', () => {
    expect(() => formatCeleryDate(new Date(NaN))).toThrow(EncodeError);
    expect(() => formatCeleryDate(new Date('+010000-01-01T00:00:00Z'))).toThrow(EncodeError);
    expect(() => formatCeleryDate(new Date(Date.UTC(-1, 0, 1)))).toThrow('outside');
  });

  it('round-trips through parseCeleryDate', () => {
    const date = new Date('2026-11-27T15:52:08.172Z');
    expect(parseCeleryDate(formatCeleryDate(date)).getTime()).toBe(date.getTime());
  });
});

describe('parseCeleryDate', () => {
  it.each([
    ['aware isoformat (5.2 eta, captured)', '2026-11-27T15:52:08.172509+00:00', '2026-11-27T15:52:08.172Z'],
    ['no microseconds', '2026-11-27T15:52:08+00:00', '2026-11-27T15:52:08.000Z'],
    ['naive (5.2 date_done) is UTC', '2026-11-27T15:55:02.743696', '2026-11-27T15:55:02.743Z'],
    ['kombu 5.2 Z suffix', '2024-01-02T03:04:05.678901Z', '2024-01-02T03:04:05.678Z'],
    ['lowercase z', '2024-01-02t03:04:05z', '2024-01-02T03:04:05.000Z'],
    ['space separator (str(datetime))', '2026-11-27 15:52:08.172509+00:00', '2026-11-27T15:52:08.172Z'],
    ['positive offset', '2024-01-02T03:04:05+05:30', '2024-01-01T21:34:05.000Z'],
    ['negative offset', '2024-01-02T03:04:05-03:30', '2024-01-02T06:34:05.000Z'],
    ['offset with seconds', '2024-01-02T03:04:05+05:00:07', '2024-01-01T22:03:58.000Z'],
    ['compact offset', '2024-01-02T03:04:05+0100', '2024-01-02T02:04:05.000Z'],
    ['hour-only offset', '2024-01-02T03:04:05-02', '2024-01-02T05:04:05.000Z'],
    ['one fraction digit is a tenth', '2024-01-02T03:04:05.1Z', '2024-01-02T03:04:05.100Z'],
    ['three fraction digits (JS toISOString)', '2024-01-02T03:04:05.123Z', '2024-01-02T03:04:05.123Z'],
    ['nine fraction digits truncate', '2024-01-02T03:04:05.987654321+00:00', '2024-01-02T03:04:05.987Z'],
    ['no seconds', '2024-01-02T03:04', '2024-01-02T03:04:00.000Z'],
    ['date only', '2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['offset crossing the year', '2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00.000Z'],
    ['surrounding whitespace', '  2024-01-02T03:04:05Z\n', '2024-01-02T03:04:05.000Z'],
  ])('%s: %s', (_name, text, expected) => {
    expect(iso(parseCeleryDate(text))).toBe(expected);
  });

  it('keeps years below 100 (Date.UTC would map them to 19xx)', () => {
    expect(parseCeleryDate('0042-03-04T05:06:07+00:00').getUTCFullYear()).toBe(42);
  });

  it.each([
    '',
    'tomorrow',
    '2024-01-02T03:04:05.',
    '2024-13-01T00:00:00',
    '2023-02-29T00:00:00',
    '2024-04-31',
    '2024-01-02T24:00:00',
    '2024-01-02T03:60:00',
    '2024-01-02T03:04:60',
    '2024-01-02T03:04:05+24:00',
    '2024-01-02T03:04:05 UTC',
    '0000-01-01T00:00:00',
    '2024-1-2T03:04:05',
    '1700000000',
  ])('rejects %j with a DecodeError', (text) => {
    expect(() => parseCeleryDate(text)).toThrow(DecodeError);
  });
});

describe('etaFromCountdown', () => {
  const now = new Date('2026-11-27T15:51:38.172Z');

  it('adds seconds, including fractions and negatives', () => {
    expect(iso(etaFromCountdown(30, now))).toBe('2026-11-27T15:52:08.172Z');
    expect(iso(etaFromCountdown(1.5, now))).toBe('2026-11-27T15:51:39.672Z');
    expect(iso(etaFromCountdown(-60, now))).toBe('2026-11-27T15:50:38.172Z');
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const eta = etaFromCountdown(10).getTime();
    expect(eta).toBeGreaterThanOrEqual(before + 10_000);
    expect(eta).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it('rejects non-finite countdowns', () => {
    expect(() => etaFromCountdown(Infinity, now)).toThrow(RangeError);
    expect(() => etaFromCountdown(NaN, now)).toThrow('countdown');
  });
});

describe('expiresFrom', () => {
  const now = new Date('2026-11-27T15:51:38.172Z');

  it('treats a number as seconds from now (captured: expires=600 → +10 min)', () => {
    expect(iso(expiresFrom(600, now))).toBe('2026-11-27T16:01:38.172Z');
    expect(iso(expiresFrom(0, now))).toBe(iso(now));
  });

  it('copies a Date so later mutation of the input does not leak in', () => {
    const input = new Date('2030-01-01T00:00:00Z');
    const result = expiresFrom(input, now);
    input.setUTCFullYear(2031);
    expect(iso(result)).toBe('2030-01-01T00:00:00.000Z');
  });

  it('parses an ISO string as a retried Python task carries it', () => {
    expect(iso(expiresFrom('2026-11-27T16:01:38.172509+00:00', now))).toBe('2026-11-27T16:01:38.172Z');
    expect(() => expiresFrom('soon', now)).toThrow(DecodeError);
  });

  it('rejects a non-finite number', () => {
    expect(() => expiresFrom(-Infinity, now)).toThrow(RangeError);
  });
});

describe('utcoffsetHoursWest', () => {
  const at = (minutesWest: number): Date => {
    const date = new Date(0);
    date.getTimezoneOffset = () => minutesWest;
    return date;
  };

  it.each([
    [0, 0],
    [-120, -2], // UTC+2
    [300, 5], // UTC-5
    [-330, -6], // UTC+5:30 floors like Python's //
    [210, 3], // UTC-3:30
  ])('%i minutes west → %i', (minutesWest, expected) => {
    expect(utcoffsetHoursWest(at(minutesWest))).toBe(expected);
  });

  it('uses the current moment by default', () => {
    expect(utcoffsetHoursWest()).toBe(Math.floor(new Date().getTimezoneOffset() / 60));
  });
});
