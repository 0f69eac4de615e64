/**
 * One tick of the scheduler, as a pure function: entries + their stored state + now → the
 * runs to act on and how long to sleep. No I/O, no clock: the Beat feeds it and acts on it.
 *
 * A run "is due" when the schedule's next time after `lastRunAt` is at or before now. If that
 * time is earlier than `activeSince` (the moment this beat began sending), runs were missed
 * while no beat was sending, and the entry's catch-up policy decides what to do.
 */
import type { CatchUpPolicy } from './entry.js';
import type { Schedule, ScheduleContext } from './schedules/schedule.js';
import type { EntryState } from './store/schedule-store.js';

export interface TickEntry {
  readonly name: string;
  readonly schedule: Schedule;
  readonly catchUp: CatchUpPolicy;
}

export interface TickInput {
  readonly entries: readonly TickEntry[];
  readonly states: ReadonlyMap<string, EntryState>;
  /** Current time, epoch ms. */
  readonly now: number;
  /** When this beat became the active (leader) scheduler, epoch ms. */
  readonly activeSince: number;
  /** Upper bound of `sleepMs` (Celery's `beat_max_loop_interval`). */
  readonly maxSleepMs: number;
  readonly context: ScheduleContext;
}

export interface DueRun {
  readonly name: string;
  /** `'send'` the task, or `'skip'` a missed run (catch-up policy `'skip'`). */
  readonly action: 'send' | 'skip';
  /** Scheduled time of the run, epoch ms. */
  readonly scheduledAt: number;
  /** Runs fell due before this beat was active: this one stands for them (`'once'`) or drops them (`'skip'`). */
  readonly missed: boolean;
  /** The state this run was planned from (what the store must still hold). */
  readonly prev: EntryState;
  /** The state after this run. */
  readonly next: EntryState;
}

export interface TickPlan {
  /** Entries without state: store this starting state first. */
  readonly fresh: readonly { readonly name: string; readonly state: EntryState }[];
  /** Runs to act on now, oldest first. */
  readonly due: readonly DueRun[];
  /** Sleep before the next tick: 0 when runs are due, else until the next run, at most `maxSleepMs`. */
  readonly sleepMs: number;
  /** Next run time of each entry (null: never again), after the due runs. */
  readonly nextRunAt: ReadonlyMap<string, number | null>;
}

export function planTick(input: TickInput): TickPlan {
  const { now, activeSince, context } = input;
  const fresh: { name: string; state: EntryState }[] = [];
  const due: DueRun[] = [];
  const nextRunAt = new Map<string, number | null>();
  let wake = Number.POSITIVE_INFINITY;

  for (const entry of input.entries) {
    let state = input.states.get(entry.name);
    if (state === undefined) {
      state = { lastRunAt: entry.schedule.initialLastRun(now), totalRunCount: 0 };
      fresh.push({ name: entry.name, state });
    }
    const next = entry.schedule.nextAfter(state.lastRunAt, context);
    if (next === null || next > now) {
      nextRunAt.set(entry.name, next);
      if (next !== null) wake = Math.min(wake, next);
      continue;
    }
    const run = dueRun(entry, state, next);
    due.push(run);
    const following = entry.schedule.nextAfter(run.next.lastRunAt, context);
    nextRunAt.set(entry.name, following);
  }

  due.sort((a, b) => a.scheduledAt - b.scheduledAt);
  const sleepMs = due.length > 0 ? 0 : Math.max(0, Math.min(input.maxSleepMs, wake - now));
  return { fresh, due, sleepMs, nextRunAt };

  function dueRun(entry: TickEntry, prev: EntryState, first: number): DueRun {
    const missed = first < activeSince;
    if (entry.catchUp === 'all') {
      return { name: entry.name, action: 'send', scheduledAt: first, missed, prev, next: advance(prev, first, true) };
    }
    const latest = entry.schedule.lastDue(prev.lastRunAt, now, context) ?? first;
    const send = entry.catchUp === 'once' || latest >= activeSince;
    return { name: entry.name, action: send ? 'send' : 'skip', scheduledAt: latest, missed, prev, next: advance(prev, latest, send) };
  }
}

function advance(prev: EntryState, runAt: number, sent: boolean): EntryState {
  return { lastRunAt: runAt, totalRunCount: prev.totalRunCount + (sent ? 1 : 0) };
}
