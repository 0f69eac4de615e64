/**
 * The Schedule seam: when does an entry run next? Times are epoch milliseconds, so DST and
 * time zones stay inside the schedule (crontab); the tick loop only compares numbers.
 */

/** What a schedule may need from the beat that evaluates it. */
export interface ScheduleContext {
  /** IANA time zone used by schedules that name none (the beat's `timezone` option). */
  readonly timezone: string;
}

export interface Schedule {
  /** `'every'`, `'crontab'`, `'at'`, or your own. */
  readonly kind: string;
  /** The first run strictly after `after`, or null when the schedule never runs again. */
  nextAfter(after: number, context: ScheduleContext): number | null;
  /** The latest run in `(after, now]`, or null when there is none. */
  lastDue(after: number, now: number, context: ScheduleContext): number | null;
  /**
   * The `lastRunAt` an entry starts from the first time a beat sees it. Intervals and
   * crontabs start at `now` (the first run is one interval, or the next match, after that);
   * a one-off that is already past starts just before its time, so it counts as missed.
   */
  initialLastRun(now: number): number;
  /** A short description for logs (`every 10s`, `crontab 0 3 * * * Europe/Paris`). */
  toString(): string;
}

/** Tells a Schedule from any other object (an entry may hold one from another copy of this package). */
export function isSchedule(value: unknown): value is Schedule {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Schedule>;
  return typeof s.nextAfter === 'function' && typeof s.lastDue === 'function' && typeof s.initialLastRun === 'function';
}
