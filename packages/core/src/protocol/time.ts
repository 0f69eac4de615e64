import { DecodeError, EncodeError } from '../errors/serialization-errors.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats a date the way Celery headers carry `eta`/`expires`: always UTC, always six fraction
 * digits and an explicit `+00:00` (`2026-11-27T15:52:08.172000+00:00`). Every Celery 5.x parser
 * reads this shape; 5.2 misreads fewer digits and 5.3.0–5.3.4 on Python < 3.11 reject `Z`.
 *
 * @throws EncodeError for an invalid date or a year Python's `datetime` cannot hold (1–9999).
 */
export function formatCeleryDate(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new EncodeError('cannot format an invalid Date');
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) throw new EncodeError(`year ${year} is outside Python's datetime range 1-9999`);
  return (
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    `.${pad(date.getUTCMilliseconds(), 3)}000+00:00`
  );
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.\d+)?)?)?)?)?$/;

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0); // day 0 of the next month is the last day of this one
  return date.getUTCDate();
}

/**
 * Parses a date written by any Celery/Python version: `isoformat()` with or without
 * microseconds, naive (taken as UTC, as Celery does), with `Z` or any `±HH:MM[:SS]` offset,
 * any number of fraction digits (read as a decimal fraction and truncated to milliseconds), and
 * a space instead of `T` (`str(datetime)`). A bare `YYYY-MM-DD` means midnight UTC.
 *
 * @throws DecodeError when the text is not such a date or names an impossible one.
 */
export function parseCeleryDate(text: string): Date {
  const m = ISO_DATE.exec(text.trim());
  if (m === null) throw new DecodeError(`invalid date ${JSON.stringify(text)}: expected ISO 8601`);
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  const [offsetHours, offsetMinutes, offsetSeconds] = [10, 11, 12].map((i) => Number(m[i] ?? 0));
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59 ||
    offsetSeconds > 59
  ) {
    throw new DecodeError(`invalid date ${JSON.stringify(text)}: a field is out of range`);
  }
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  const sign = m[9] === '-' ? -1 : 1;
  const offsetMs = sign * (offsetHours * 3600 + offsetMinutes * 60 + offsetSeconds) * 1000;
  return new Date(date.getTime() - offsetMs);
}

function assertFiniteSeconds(seconds: number, what: string): void {
  if (!Number.isFinite(seconds)) throw new RangeError(`${what} must be a finite number of seconds, got ${seconds}`);
}

/**
 * The ETA Celery computes for `countdown=seconds`: `now + seconds` (fractions and negative
 * values allowed, as in Python).
 *
 * @throws RangeError when `seconds` is not finite.
 */
export function etaFromCountdown(seconds: number, now: Date = new Date()): Date {
  assertFiniteSeconds(seconds, 'countdown');
  return new Date(now.getTime() + seconds * 1000);
}

/**
 * Resolves an `expires` option: a number is seconds from `now`, a `Date` is used as is (copied),
 * a string is parsed with {@link parseCeleryDate} (Celery passes retried tasks' ISO strings on).
 *
 * @throws RangeError for a non-finite number; DecodeError for an unparseable string.
 */
export function expiresFrom(expires: number | Date | string, now: Date = new Date()): Date {
  if (typeof expires === 'number') {
    assertFiniteSeconds(expires, 'expires');
    return new Date(now.getTime() + expires * 1000);
  }
  if (typeof expires === 'string') return parseCeleryDate(expires);
  return new Date(expires.getTime());
}

/**
 * The `utcoffset` field of Celery events: hours *west* of UTC, floored, with daylight saving
 * applied (Python's `time.altzone // 3600` in DST, else `time.timezone // 3600`). UTC+2 gives -2,
 * UTC-5 gives 5, UTC+5:30 gives -6.
 *
 * @param at - the moment whose offset to use; defaults to now.
 */
export function utcoffsetHoursWest(at: Date = new Date()): number {
  return Math.floor(at.getTimezoneOffset() / 60);
}
