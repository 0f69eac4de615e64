/** Schedule entries: what the user writes (`BeatEntry`) and what the beat runs (`ResolvedEntry`). */
import type { ApplyOptions } from '@celeriac/core';
import { ScheduleConfigError } from './errors.js';
import { isSchedule, type Schedule } from './schedules/schedule.js';

/**
 * What a beat does with runs that fell due while no beat was sending (all beats down, or the
 * few seconds a new leader takes to step in):
 * - `'once'`: send one run now for all of them (Celery's behaviour);
 * - `'skip'`: send none, wait for the next run;
 * - `'all'`: send every missed run, oldest first.
 */
export type CatchUpPolicy = 'once' | 'skip' | 'all';

/** Send options of an entry: Celery's `apply_async` options (queue, expires, priority...). */
export type EntryOptions = Omit<ApplyOptions, 'taskId' | 'kwargs'>;

/** One entry of the schedule, Celery's `beat_schedule` item. */
export interface BeatEntry {
  /** Name of the task, as the worker registered it (`'tasks.add'`); it need not exist in this process. */
  task: string;
  /** When it runs: `every(ms)`, `crontab(...)`, `at(time)` or your own Schedule. */
  schedule: Schedule;
  /** Positional arguments. @defaultValue [] */
  args?: readonly unknown[];
  /** Keyword arguments. @defaultValue {} */
  kwargs?: Record<string, unknown>;
  /** Send options: `queue`, `expires` (seconds after sending, or a time), `priority`... @defaultValue {} */
  options?: EntryOptions;
  /** Runs missed while no beat was sending. @defaultValue the beat's `catchUp` ('once') */
  catchUp?: CatchUpPolicy;
}

export interface ResolvedEntry {
  readonly name: string;
  readonly task: string;
  readonly schedule: Schedule;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: Readonly<EntryOptions>;
  readonly catchUp: CatchUpPolicy;
}

const POLICIES: readonly CatchUpPolicy[] = ['once', 'skip', 'all'];

/** Checks an entry and fills in its defaults; throws ScheduleConfigError naming the entry. */
export function resolveEntry(name: string, entry: BeatEntry, defaultCatchUp: CatchUpPolicy): ResolvedEntry {
  const where = `beat entry ${JSON.stringify(name)}`;
  if (name === '') throw new ScheduleConfigError('a beat entry needs a non-empty name');
  if (typeof entry !== 'object' || entry === null) throw new ScheduleConfigError(`${where} must be an object`);
  if (typeof entry.task !== 'string' || entry.task === '') throw new ScheduleConfigError(`${where}: "task" must be a task name`);
  if (!isSchedule(entry.schedule)) {
    throw new ScheduleConfigError(`${where}: "schedule" must come from every(), crontab() or at()`);
  }
  if (entry.args !== undefined && !Array.isArray(entry.args)) throw new ScheduleConfigError(`${where}: "args" must be an array`);
  if (entry.kwargs !== undefined && !isPlainObject(entry.kwargs)) throw new ScheduleConfigError(`${where}: "kwargs" must be an object`);
  if (entry.options !== undefined && !isPlainObject(entry.options)) throw new ScheduleConfigError(`${where}: "options" must be an object`);
  const catchUp = entry.catchUp ?? defaultCatchUp;
  if (!POLICIES.includes(catchUp)) throw new ScheduleConfigError(`${where}: "catchUp" must be one of ${POLICIES.join(', ')}`);
  return Object.freeze({
    name,
    task: entry.task,
    schedule: entry.schedule,
    args: Object.freeze([...(entry.args ?? [])]),
    kwargs: Object.freeze({ ...(entry.kwargs ?? {}) }),
    options: Object.freeze({ ...(entry.options ?? {}) }),
    catchUp,
  });
}

export function isCatchUpPolicy(value: unknown): value is CatchUpPolicy {
  return POLICIES.includes(value as CatchUpPolicy);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
