/**
 * Celery's crontab field syntax, turned into a pattern croner reads the same way. This is the
 * one compatibility shim of the crontab schedule; croner does the parsing and the time
 * arithmetic. Celery accepts two things croner does not:
 * - ranges that wrap (`fri-mon`, `22-2`, `22-2/2`): expanded here as Celery expands them
 *   (`range(a, max) + range(min, b + 1)`, then every n-th value);
 * - full day names (`monday`): Celery reads the first three letters.
 */
import { ScheduleConfigError } from '../errors.js';

/** A field: `'*'`, `'*\/15'`, `'1-5'`, `'mon-fri'`, `'0,30'`, a number, or a list of numbers. */
export type CronField = string | number | readonly number[];

/** Celery's `crontab(minute, hour, day_of_week, day_of_month, month_of_year)`, every field `'*'` by default. */
export interface CrontabFields {
  /** 0–59. @defaultValue '*' */
  minute?: CronField;
  /** 0–23. @defaultValue '*' */
  hour?: CronField;
  /** 0–6 with Sunday = 0, or `sun`…`sat`. @defaultValue '*' */
  dayOfWeek?: CronField;
  /** 1–31. @defaultValue '*' */
  dayOfMonth?: CronField;
  /** 1–12, or `jan`…`dec`. @defaultValue '*' */
  monthOfYear?: CronField;
}

interface FieldRange {
  name: string;
  min: number;
  /** Number of values (Celery's `max_`). */
  count: number;
  names?: readonly string[];
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

/** In the order of a five-field cron string. */
const FIELDS: readonly FieldRange[] = [
  { name: 'minute', min: 0, count: 60 },
  { name: 'hour', min: 0, count: 24 },
  { name: 'day of month', min: 1, count: 31 },
  { name: 'month', min: 1, count: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, count: 7, names: DAY_NAMES },
];

/** A five-field cron string (`'0 3 * * *'`, minute hour day-of-month month day-of-week) or fields → croner pattern. */
export function toCronerPattern(spec: string | CrontabFields): string {
  if (typeof spec === 'string') {
    const trimmed = spec.trim();
    if (trimmed.startsWith('@')) return trimmed; // @daily, @hourly... (croner knows them)
    const parts = trimmed.split(/\s+/);
    if (parts.length !== 5) {
      throw new ScheduleConfigError(`crontab(): expected five fields "minute hour day-of-month month day-of-week", got ${JSON.stringify(spec)}`);
    }
    return parts.map((p, i) => normalizeField(p, FIELDS[i]!)).join(' ');
  }
  const ordered = [spec.minute, spec.hour, spec.dayOfMonth, spec.monthOfYear, spec.dayOfWeek];
  return ordered.map((v, i) => normalizeField(fieldText(v, FIELDS[i]!), FIELDS[i]!)).join(' ');
}

function fieldText(value: CronField | undefined, field: FieldRange): string {
  if (value === undefined) return '*';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((n) => Number.isInteger(n))) return value.join(',');
  throw new ScheduleConfigError(`crontab(): ${field.name} must be a string, an integer or a non-empty list of integers`);
}

function normalizeField(text: string, field: FieldRange): string {
  const lowered = text.toLowerCase();
  if (lowered === '') throw new ScheduleConfigError(`crontab(): empty ${field.name} field`);
  return lowered.split(',').map((part) => normalizePart(part, field)).join(',');
}

function normalizePart(part: string, field: FieldRange): string {
  const named = field.names ? part.replace(/[a-z]+/g, (word) => String(nameToNumber(word, field))) : part;
  const m = /^(\d+)-(\d+)(?:\/(\d+))?$/.exec(named);
  if (!m) return named;
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from <= to) return named;
  // a wrapping range, expanded the way Celery does
  const last = field.min + field.count - 1;
  if (from > last || to < field.min) throw new ScheduleConfigError(`crontab(): ${field.name} range ${part} is out of bounds`);
  const values: number[] = [];
  for (let v = from; v <= last; v++) values.push(v);
  for (let v = field.min; v <= to; v++) values.push(v);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (step < 1) throw new ScheduleConfigError(`crontab(): ${field.name} step must be at least 1 in ${part}`);
  return values.filter((_v, i) => i % step === 0).join(',');
}

function nameToNumber(word: string, field: FieldRange): number {
  const index = field.names!.indexOf(word.slice(0, 3) as never);
  if (index < 0 || (word.length > 3 && !isFullName(word, field))) {
    throw new ScheduleConfigError(`crontab(): unknown ${field.name} name ${JSON.stringify(word)}`);
  }
  return field.names === DAY_NAMES ? index : index + 1;
}

const FULL_NAMES = new Set([
  'sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday',
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
]);

function isFullName(word: string, field: FieldRange): boolean {
  return FULL_NAMES.has(word) && (field.names === DAY_NAMES) === word.endsWith('day');
}
