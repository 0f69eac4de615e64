/**
 * `every(ms)`: a fixed interval, Celery's `schedule(run_every)`. Runs are anchored on the
 * entry's first `lastRunAt` (the moment a beat first saw it), so they fall on
 * `anchor + k × interval` and a restart keeps the phase.
 */
import { ScheduleConfigError } from '../errors.js';
import type { Schedule } from './schedule.js';

export class EverySchedule implements Schedule {
  readonly kind = 'every';
  readonly intervalMs: number;

  constructor(intervalMs: number) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new ScheduleConfigError(`every(): the interval must be a positive number of milliseconds, got ${String(intervalMs)}`);
    }
    this.intervalMs = intervalMs;
  }

  nextAfter(after: number): number {
    return after + this.intervalMs;
  }

  lastDue(after: number, now: number): number | null {
    if (now - after < this.intervalMs) return null;
    return after + Math.floor((now - after) / this.intervalMs) * this.intervalMs;
  }

  initialLastRun(now: number): number {
    return now;
  }

  toString(): string {
    return `every ${formatDuration(this.intervalMs)}`;
  }
}

/** A task every `intervalMs` milliseconds (`every(10_000)` is Celery's `'schedule': 10.0`). */
export function every(intervalMs: number): EverySchedule {
  return new EverySchedule(intervalMs);
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
