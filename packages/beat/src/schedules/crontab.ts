/**
 * `crontab(...)`: Celery's crontab schedule, evaluated by croner in a time zone.
 *
 * Semantics (Celery's, checked in crontab.test.ts):
 * - five fields, minute hour day-of-month month day-of-week; `*`, `*\/n`, `a`, `a-b`, `a-b/n`,
 *   lists; day of week 0–6 with Sunday = 0 and names `sun`…`sat`; ranges may wrap;
 * - all fields must match: day-of-month AND day-of-week (`0 0 13 * fri` is Friday the 13th
 *   only), not Vixie cron's OR;
 * - wall-clock times in the schedule's time zone (`tz`), else the beat's `timezone` (UTC by
 *   default). Across a daylight-saving change, a fixed time of day (no `*` or step in the
 *   minute and hour fields, e.g. `30 2 * * *`) runs once a day: at the first valid minute
 *   after a spring-forward gap, and on the first of two repeated times in the fall; a pattern
 *   with `*` or a step (`*\/15 * * * *`) keeps its real spacing: it skips the missing
 *   minutes and runs on both occurrences of repeated ones.
 */
import { Cron } from 'croner';
import { ScheduleConfigError } from '../errors.js';
import { toCronerPattern, type CrontabFields } from './cron-fields.js';
import type { Schedule, ScheduleContext } from './schedule.js';

export interface CrontabOptions {
  /** IANA time zone of this schedule (`'Europe/Paris'`). @defaultValue the beat's `timezone` */
  tz?: string;
}

export class CrontabSchedule implements Schedule {
  readonly kind = 'crontab';
  /** The pattern croner evaluates (Celery-only syntax already expanded). */
  readonly pattern: string;
  readonly tz: string | undefined;
  readonly #byZone = new Map<string, Cron>();

  constructor(spec: string | CrontabFields, options: CrontabOptions = {}) {
    this.pattern = toCronerPattern(spec);
    this.tz = options.tz;
    if (this.tz !== undefined) assertTimeZone(this.tz);
    this.#cron(this.tz ?? 'UTC'); // parse now, so a bad pattern fails where it is written
  }

  nextAfter(after: number, context: ScheduleContext): number | null {
    const next = this.#cron(this.tz ?? context.timezone).nextRun(new Date(after));
    return next === null ? null : next.getTime();
  }

  lastDue(after: number, now: number, context: ScheduleContext): number | null {
    const cron = this.#cron(this.tz ?? context.timezone);
    // croner includes a run earlier in the same second as the reference, so `now + 1` is "at or before now"
    const [latest] = cron.previousRuns(1, new Date(now + 1));
    if (latest !== undefined && latest.getTime() > after && latest.getTime() <= now) return latest.getTime();
    const next = this.nextAfter(after, context);
    return next !== null && next <= now ? next : null;
  }

  initialLastRun(now: number): number {
    return now;
  }

  toString(): string {
    return `crontab ${this.pattern}${this.tz ? ` ${this.tz}` : ''}`;
  }

  #cron(timezone: string): Cron {
    let cron = this.#byZone.get(timezone);
    if (!cron) {
      try {
        cron = new Cron(this.pattern, { mode: '5-part', domAndDow: true, fixedTimeRule: 'no-wildcard', timezone });
      } catch (err) {
        throw new ScheduleConfigError(`crontab(): invalid pattern ${JSON.stringify(this.pattern)}: ${(err as Error).message}`, { cause: err });
      }
      this.#byZone.set(timezone, cron);
    }
    return cron;
  }
}

/**
 * A crontab schedule: a five-field string (`'0 3 * * *'`, standard cron order) or Celery's
 * named fields (`{ minute: 0, hour: 3, dayOfWeek: 'mon-fri' }`).
 */
export function crontab(spec: string | CrontabFields, options: CrontabOptions = {}): CrontabSchedule {
  return new CrontabSchedule(spec, options);
}

/** Throws ScheduleConfigError unless `tz` is an IANA time zone this runtime knows. */
export function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch (err) {
    throw new ScheduleConfigError(`unknown time zone ${JSON.stringify(tz)}`, { cause: err });
  }
}
