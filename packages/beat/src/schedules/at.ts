/** `at(time)`: a one-off run at a given instant (django-celery-beat's `clocked` schedule). */
import { ScheduleConfigError } from '../errors.js';
import type { Schedule } from './schedule.js';

export class AtSchedule implements Schedule {
  readonly kind = 'at';
  readonly time: number;

  constructor(time: Date | string | number) {
    const ms = time instanceof Date ? time.getTime() : typeof time === 'string' ? Date.parse(time) : time;
    if (!Number.isFinite(ms)) throw new ScheduleConfigError(`at(): not a valid time: ${String(time)}`);
    this.time = ms;
  }

  nextAfter(after: number): number | null {
    return this.time > after ? this.time : null;
  }

  lastDue(after: number, now: number): number | null {
    return this.time > after && this.time <= now ? this.time : null;
  }

  initialLastRun(now: number): number {
    return Math.min(now, this.time - 1);
  }

  toString(): string {
    return `at ${new Date(this.time).toISOString()}`;
  }
}

/**
 * Runs once at `time` (a Date, an ISO-8601 string with an offset, or epoch milliseconds).
 * If no beat was running at that time, the entry's catch-up policy decides: `'once'` sends
 * it when a beat starts, `'skip'` drops it.
 */
export function at(time: Date | string | number): AtSchedule {
  return new AtSchedule(time);
}
