import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScheduleConfigError } from '../errors.js';
import type { CrontabFields } from './cron-fields.js';
import { crontab, type CrontabSchedule } from './crontab.js';

const UTC = { timezone: 'UTC' };
const t = (iso: string) => Date.parse(iso);

/** The next `n` runs after `after`, as ISO strings. */
function nextRuns(schedule: CrontabSchedule, after: string, n: number, context = UTC): string[] {
  const out: string[] = [];
  let cursor = t(after);
  for (let i = 0; i < n; i++) {
    const next = schedule.nextAfter(cursor, context);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    cursor = next;
  }
  return out;
}

interface CeleryCase {
  celery: Record<string, string>;
  pattern: string;
  after: string;
  next: string[];
}
const golden = JSON.parse(readFileSync(new URL('./crontab.celery-cases.json', import.meta.url), 'utf8')) as { cases: CeleryCase[] };

function celeryFields(f: Record<string, string>): CrontabFields {
  return {
    ...(f.minute !== undefined ? { minute: f.minute } : {}),
    ...(f.hour !== undefined ? { hour: f.hour } : {}),
    ...(f.day_of_week !== undefined ? { dayOfWeek: f.day_of_week } : {}),
    ...(f.day_of_month !== undefined ? { dayOfMonth: f.day_of_month } : {}),
    ...(f.month_of_year !== undefined ? { monthOfYear: f.month_of_year } : {}),
  };
}

describe('crontab: same fire times as Celery 5.2.6 (captured, UTC)', () => {
  it.each(golden.cases.map((c) => [c.pattern, c] as const))('%s', (_name, c) => {
    expect(nextRuns(crontab(c.pattern), c.after, c.next.length)).toEqual(c.next);
    expect(nextRuns(crontab(celeryFields(c.celery)), c.after, c.next.length)).toEqual(c.next);
  });

  it('covers the cases the issue asks for', () => {
    const patterns = golden.cases.map((c) => c.pattern);
    expect(patterns).toEqual(expect.arrayContaining(['0 0 31 * *', '0 0 29 2 *', '*/25 * * * *', '0 0 13 * fri', '0 0 * * fri-mon']));
  });
});

describe('crontab: Celery field semantics', () => {
  it('ANDs day of month and day of week (Friday the 13th only, not every Friday)', () => {
    expect(nextRuns(crontab('0 0 13 * fri'), '2026-01-01T00:00:00Z', 2)).toEqual(['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z']);
  });

  it('counts Sunday as 0 and reads day names, short or full', () => {
    const sunday = ['2026-01-04T09:00:00.000Z', '2026-01-11T09:00:00.000Z'];
    for (const dow of ['0', 'sun', 'SUN', 'sunday', 'Sunday']) expect(nextRuns(crontab(`0 9 * * ${dow}`), '2026-01-01T00:00:00Z', 2)).toEqual(sunday);
    expect(nextRuns(crontab({ minute: 0, hour: 9, dayOfWeek: 0 }), '2026-01-01T00:00:00Z', 2)).toEqual(sunday);
  });

  it('expands wrapping ranges like Celery (range to the end, then from the start, then every n-th)', () => {
    expect(crontab('0 22-2/2 * * *').pattern).toBe('0 22,0,2 * * *');
    expect(crontab('0 0 * * fri-mon').pattern).toBe('0 0 * * 5,6,0,1');
    expect(crontab('0 0 1 nov-feb *').pattern).toBe('0 0 1 11,12,1,2 *');
    expect(crontab('58-2 * * * *').pattern).toBe('58,59,0,1,2 * * * *');
  });

  it('takes numbers and lists in the named-field form', () => {
    const s = crontab({ minute: [0, 30], hour: 9, dayOfWeek: 'mon-fri' });
    expect(s.pattern).toBe('0,30 9 * * 1-5');
    expect(nextRuns(s, '2026-01-02T09:10:00Z', 3)).toEqual(['2026-01-02T09:30:00.000Z', '2026-01-05T09:00:00.000Z', '2026-01-05T09:30:00.000Z']);
  });

  it('rejects bad patterns and time zones where they are written', () => {
    expect(() => crontab('* * * *')).toThrow(ScheduleConfigError);
    expect(() => crontab('61 * * * *')).toThrow(ScheduleConfigError);
    expect(() => crontab('5/15 * * * *')).toThrow(ScheduleConfigError);
    expect(() => crontab('0 0 * * funday')).toThrow(ScheduleConfigError);
    expect(() => crontab({ hour: [] })).toThrow(ScheduleConfigError);
    expect(() => crontab('0 3 * * *', { tz: 'Europe/Atlantis' })).toThrow(ScheduleConfigError);
  });
});

describe('crontab: time zones and daylight saving', () => {
  it('uses the beat time zone when the schedule names none, and its own tz when it does', () => {
    const paris = { timezone: 'Europe/Paris' };
    expect(nextRuns(crontab('0 3 * * *'), '2026-01-10T00:00:00Z', 1, paris)).toEqual(['2026-01-10T02:00:00.000Z']);
    expect(nextRuns(crontab('0 3 * * *', { tz: 'Asia/Tokyo' }), '2026-01-10T00:00:00Z', 1, paris)).toEqual(['2026-01-10T18:00:00.000Z']);
    expect(nextRuns(crontab('0 3 * * *'), '2026-01-10T00:00:00Z', 1)).toEqual(['2026-01-10T03:00:00.000Z']);
  });

  // Europe/Paris 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z); 02:00–02:59 do not exist.
  it('spring forward (Paris): a fixed time in the gap runs once, at the first minute after it', () => {
    expect(nextRuns(crontab('30 2 * * *', { tz: 'Europe/Paris' }), '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('spring forward (Paris): */30 keeps 30-minute real spacing across the gap', () => {
    expect(nextRuns(crontab('*/30 * * * *', { tz: 'Europe/Paris' }), '2026-03-29T00:00:00Z', 4)).toEqual([
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T01:30:00.000Z', // 03:30 CEST
      '2026-03-29T02:00:00.000Z',
    ]);
  });

  it('spring forward (New York): a daily 03:00 job is not shifted, an hourly one skips the missing hour', () => {
    // America/New_York 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z)
    expect(nextRuns(crontab('0 3 * * *', { tz: 'America/New_York' }), '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07T08:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T07:00:00.000Z',
    ]);
    expect(nextRuns(crontab('0 * * * *', { tz: 'America/New_York' }), '2026-03-08T05:30:00Z', 3)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT (02:00 does not exist)
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  // Europe/Paris 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00Z); 02:00–02:59 happen twice.
  it('fall back (Paris): a fixed time that happens twice runs once, on its first occurrence', () => {
    expect(nextRuns(crontab('30 2 * * *', { tz: 'Europe/Paris' }), '2026-10-23T12:00:00Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, first of the two
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
    // a list of hours is a fixed time too: 02:30 and 03:30 run once each
    expect(nextRuns(crontab('30 2,3 * * *', { tz: 'Europe/Paris' }), '2026-10-24T12:00:00Z', 3)).toEqual([
      '2026-10-25T00:30:00.000Z', '2026-10-25T02:30:00.000Z', '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('fall back (Paris): */30 runs on both occurrences of the repeated half-hours', () => {
    expect(nextRuns(crontab('*/30 * * * *', { tz: 'Europe/Paris' }), '2026-10-24T23:45:00Z', 6)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:00:00.000Z', // 03:00 CET
      '2026-10-25T02:30:00.000Z',
    ]);
  });

  it('fall back (New York): 01:30 daily runs once on the long day', () => {
    // America/New_York 2026-11-01: 02:00 EDT falls back to 01:00 EST (06:00Z)
    expect(nextRuns(crontab('30 1 * * *', { tz: 'America/New_York' }), '2026-10-31T00:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z',
    ]);
  });
});

describe('crontab: lastDue (the latest run in (after, now])', () => {
  const s = crontab('*/15 * * * *');
  it('finds the latest run, or null when none fell due', () => {
    expect(s.lastDue(t('2026-01-01T00:00:00Z'), t('2026-01-01T00:47:00Z'), UTC)).toBe(t('2026-01-01T00:45:00Z'));
    expect(s.lastDue(t('2026-01-01T00:00:00Z'), t('2026-01-01T00:45:00Z'), UTC)).toBe(t('2026-01-01T00:45:00Z'));
    expect(s.lastDue(t('2026-01-01T00:00:00Z'), t('2026-01-01T00:14:59.999Z'), UTC)).toBeNull();
    expect(s.lastDue(t('2026-01-01T00:45:00Z'), t('2026-01-01T00:45:00Z'), UTC)).toBeNull();
  });

  it('agrees with nextAfter across a daylight-saving change', () => {
    const p = crontab('30 2 * * *', { tz: 'Europe/Paris' });
    expect(p.lastDue(t('2026-03-28T12:00:00Z'), t('2026-03-29T06:00:00Z'), UTC)).toBe(t('2026-03-29T01:00:00Z'));
    expect(p.lastDue(t('2026-10-24T12:00:00Z'), t('2026-10-25T06:00:00Z'), UTC)).toBe(t('2026-10-25T00:30:00Z'));
  });
});
