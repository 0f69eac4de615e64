import { describe, expect, it } from 'vitest';
import type { CatchUpPolicy } from './entry.js';
import { at } from './schedules/at.js';
import { crontab } from './schedules/crontab.js';
import { every } from './schedules/every.js';
import type { Schedule } from './schedules/schedule.js';
import type { EntryState } from './store/schedule-store.js';
import { planTick, type TickInput } from './tick.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const S = 1000;

function input(over: Partial<TickInput> & { schedule?: Schedule; catchUp?: CatchUpPolicy; state?: EntryState }): TickInput {
  const entries = over.entries ?? [{ name: 'e', schedule: over.schedule ?? every(10 * S), catchUp: over.catchUp ?? 'once' }];
  const states = over.states ?? new Map(over.state ? [['e', over.state]] : []);
  return { entries, states, now: over.now ?? T0, activeSince: over.activeSince ?? T0, maxSleepMs: over.maxSleepMs ?? 60 * S, context: over.context ?? { timezone: 'UTC' } };
}

/** Runs the tick loop the way Beat does (apply each plan, re-plan while runs are due), without I/O. */
function drain(base: TickInput): { sent: number[]; skipped: number[]; state: Map<string, EntryState>; sleepMs: number } {
  const state = new Map(base.states);
  const sent: number[] = [];
  const skipped: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const plan = planTick({ ...base, states: state });
    for (const f of plan.fresh) state.set(f.name, f.state);
    for (const run of plan.due) {
      state.set(run.name, run.next);
      (run.action === 'send' ? sent : skipped).push(run.scheduledAt - T0);
    }
    if (plan.due.length === 0) return { sent, skipped, state, sleepMs: plan.sleepMs };
  }
  throw new Error('tick loop does not settle');
}

describe('planTick', () => {
  it('starts a new entry at now: an interval first runs one interval later (as Celery)', () => {
    const plan = planTick(input({}));
    expect(plan.fresh).toEqual([{ name: 'e', state: { lastRunAt: T0, totalRunCount: 0 } }]);
    expect(plan.due).toEqual([]);
    expect(plan.sleepMs).toBe(10 * S);
    expect(plan.nextRunAt.get('e')).toBe(T0 + 10 * S);
  });

  it('sends a due run at its scheduled time and counts it', () => {
    const plan = planTick(input({ state: { lastRunAt: T0 - 10 * S, totalRunCount: 4 }, activeSince: T0 - 60 * S, now: T0 + 3 }));
    expect(plan.due).toEqual([{
      name: 'e', action: 'send', scheduledAt: T0, missed: false,
      prev: { lastRunAt: T0 - 10 * S, totalRunCount: 4 }, next: { lastRunAt: T0, totalRunCount: 5 },
    }]);
    expect(plan.sleepMs).toBe(0);
    expect(plan.nextRunAt.get('e')).toBe(T0 + 10 * S);
  });

  it('after a restart, does not run again what already ran', () => {
    const r = drain(input({ state: { lastRunAt: T0 - 5 * S, totalRunCount: 1 } }));
    expect(r.sent).toEqual([]);
    expect(r.sleepMs).toBe(5 * S);
  });

  it("catch-up 'once': runs missed while no beat was active are sent once, then the phase goes on", () => {
    const r = drain(input({ state: { lastRunAt: T0 - 45 * S, totalRunCount: 2 }, now: T0, activeSince: T0 }));
    expect(r.sent).toEqual([-5 * S]); // missed -35, -25, -15, -5 s: one run, the latest
    expect(r.state.get('e')).toEqual({ lastRunAt: T0 - 5 * S, totalRunCount: 3 });
    expect(r.sleepMs).toBe(5 * S);
  });

  it("catch-up 'skip': missed runs are dropped and recorded, the next one is waited for", () => {
    const r = drain(input({ catchUp: 'skip', state: { lastRunAt: T0 - 45 * S, totalRunCount: 2 } }));
    expect(r.sent).toEqual([]);
    expect(r.skipped).toEqual([-5 * S]);
    expect(r.state.get('e')).toEqual({ lastRunAt: T0 - 5 * S, totalRunCount: 2 });
    expect(r.sleepMs).toBe(5 * S);
  });

  it("catch-up 'skip' still sends runs that fell due while this beat was active (a late wake-up)", () => {
    const r = drain(input({ catchUp: 'skip', state: { lastRunAt: T0 - 10 * S, totalRunCount: 0 }, now: T0 + 20, activeSince: T0 - 60 * S }));
    expect(r.sent).toEqual([0]);
  });

  it("catch-up 'all': every missed run is sent, oldest first", () => {
    const r = drain(input({ catchUp: 'all', state: { lastRunAt: T0 - 45 * S, totalRunCount: 2 } }));
    expect(r.sent).toEqual([-35 * S, -25 * S, -15 * S, -5 * S]);
    expect(r.state.get('e')).toEqual({ lastRunAt: T0 - 5 * S, totalRunCount: 6 });
  });

  it('marks runs missed only when they fell due before the beat became active', () => {
    const missed = planTick(input({ state: { lastRunAt: T0 - 12 * S, totalRunCount: 0 }, activeSince: T0 - 1 * S }));
    expect(missed.due[0]?.missed).toBe(true);
    const onTime = planTick(input({ state: { lastRunAt: T0 - 12 * S, totalRunCount: 0 }, activeSince: T0 - 5 * S }));
    expect(onTime.due[0]?.missed).toBe(false);
  });

  it("a one-off in the past runs once on the first start ('once'), and never again", () => {
    const r = drain(input({ schedule: at(T0 - 3600 * S) }));
    expect(r.sent).toEqual([-3600 * S]);
    const again = planTick(input({ schedule: at(T0 - 3600 * S), states: r.state, now: T0 + 86_400 * S }));
    expect(again.due).toEqual([]);
    expect(again.nextRunAt.get('e')).toBeNull();
    expect(again.sleepMs).toBe(60 * S); // nothing else to wait for: the max loop interval
  });

  it("a one-off in the past is dropped with 'skip'", () => {
    const r = drain(input({ schedule: at(T0 - 3600 * S), catchUp: 'skip' }));
    expect(r.sent).toEqual([]);
    expect(r.skipped).toEqual([-3600 * S]);
  });

  it('sleeps until the nearest run, at most maxSleepMs', () => {
    const entries = [
      { name: 'a', schedule: every(30 * S), catchUp: 'once' as const },
      { name: 'b', schedule: every(7 * S), catchUp: 'once' as const },
    ];
    const states = new Map([['a', { lastRunAt: T0, totalRunCount: 0 }], ['b', { lastRunAt: T0 - 2 * S, totalRunCount: 0 }]]);
    expect(planTick(input({ entries, states })).sleepMs).toBe(5 * S);
    expect(planTick(input({ entries, states, maxSleepMs: 2 * S })).sleepMs).toBe(2 * S);
  });

  it('returns due runs oldest first', () => {
    const entries = [
      { name: 'late', schedule: every(10 * S), catchUp: 'once' as const },
      { name: 'early', schedule: every(10 * S), catchUp: 'once' as const },
    ];
    const states = new Map([['late', { lastRunAt: T0 - 11 * S, totalRunCount: 0 }], ['early', { lastRunAt: T0 - 19 * S, totalRunCount: 0 }]]);
    expect(planTick(input({ entries, states, activeSince: T0 - 60 * S })).due.map((d) => d.name)).toEqual(['early', 'late']);
  });

  it('evaluates crontabs in the beat time zone', () => {
    const plan = planTick(input({ schedule: crontab('0 14 * * *'), state: { lastRunAt: T0, totalRunCount: 0 }, context: { timezone: 'Europe/Paris' } }));
    // 14:00 in Paris (CEST, UTC+2) is 12:00Z, which is T0 itself: not after lastRunAt, so tomorrow
    expect(plan.nextRunAt.get('e')).toBe(T0 + 86_400 * S);
    const due = planTick(input({ schedule: crontab('0 14 * * *'), state: { lastRunAt: T0 - 60 * S, totalRunCount: 0 }, context: { timezone: 'Europe/Paris' }, activeSince: T0 - 3600 * S }));
    expect(due.due.map((d) => d.scheduledAt)).toEqual([T0]);
  });
});
