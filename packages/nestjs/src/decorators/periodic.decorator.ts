import type { ApplyOptions } from '@celeriac/core';
import { PERIODIC_METADATA } from '../celeriac.constants.js';

/** A schedule of `@celeriac/beat` (`every()`, `crontab()`, `at()` or your own); beat checks the rest. */
export interface PeriodicSchedule {
  readonly kind: string;
}

export interface PeriodicOptions {
  /** When to send the task: `every(10_000)` or `crontab('0 3 * * *', { tz })` from `@celeriac/beat`. */
  schedule: PeriodicSchedule;
  /** Positional arguments of every run. @defaultValue [] */
  args?: readonly unknown[];
  /** Keyword arguments of every run. @defaultValue {} */
  kwargs?: Record<string, unknown>;
  /** Send options (queue, priority, expires...). @defaultValue {} */
  options?: Omit<ApplyOptions, 'taskId' | 'kwargs'>;
  /** Runs missed while no beat was sending: `'once'`, `'skip'` or `'all'`. @defaultValue beat's `catchUp` ('once') */
  catchUp?: 'once' | 'skip' | 'all';
}

/** What `@Periodic()` stores on the method (one entry per decorator). */
export interface PeriodicMetadata extends PeriodicOptions {
  /** The beat entry's name, unique in the schedule. */
  readonly name: string;
}

/**
 * Sends the `@Task` method's task on a schedule, through `@celeriac/beat`. The entry is
 * scheduled only in the process started with the module option `beat` (one per deployment);
 * elsewhere it is ignored. A method may carry several, each with its own name.
 *
 * @example
 * @Task('reports.nightly')
 * @Periodic('nightly-report', { schedule: crontab('0 3 * * *', { tz: 'Europe/Paris' }) })
 * nightly() { ... }
 */
export function Periodic(name: string, options: PeriodicOptions): MethodDecorator {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('@Periodic() needs an entry name');
  if (typeof options?.schedule?.kind !== 'string') {
    throw new TypeError(`@Periodic(${JSON.stringify(name)}) needs a schedule: every(ms) or crontab(...) from @celeriac/beat`);
  }
  const entry: PeriodicMetadata = Object.freeze({ ...options, name });
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const entries: readonly PeriodicMetadata[] = Reflect.getMetadata(PERIODIC_METADATA, method) ?? [];
    Reflect.defineMetadata(PERIODIC_METADATA, [...entries, entry], method);
  };
}
