/**
 * The ScheduleStore seam: where each entry's run state lives between ticks and restarts.
 * Implementations: file (one JSON file, written atomically), redis (one hash, shared by every
 * beat of a cluster) and memory (tests, single short-lived processes).
 *
 * `claim()` is a compare-and-set: a beat moves an entry from the state it read to the next one,
 * and only then sends the task. Two beats that both think they lead (a network partition)
 * cannot both claim the same run from a shared store.
 */

/** Run state of one entry. Times are epoch milliseconds. */
export interface EntryState {
  /**
   * Scheduled time of the last run that was sent or skipped (not the moment it was sent),
   * or, before the first run, the moment a beat first saw the entry.
   */
  readonly lastRunAt: number;
  /** Runs sent so far (Celery's `total_run_count`). */
  readonly totalRunCount: number;
}

export interface ScheduleStore {
  /** Every stored entry state, by entry name. */
  load(): Promise<Map<string, EntryState>>;
  /**
   * Replaces the state of `name` with `next` if it is still `expected` (`undefined`: no state
   * yet). Resolves false, and changes nothing, when someone else changed it first.
   */
  claim(name: string, expected: EntryState | undefined, next: EntryState): Promise<boolean>;
  /** Forgets entries (for example ones removed from the schedule). */
  remove(names: readonly string[]): Promise<void>;
  /** Releases connections or handles. Safe to call twice. */
  close(): Promise<void>;
}

export function sameState(a: EntryState | undefined, b: EntryState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.lastRunAt === b.lastRunAt && a.totalRunCount === b.totalRunCount;
}

/** Reads an EntryState out of parsed JSON, or returns undefined if it does not look like one. */
export function toEntryState(value: unknown): EntryState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.lastRunAt !== 'number' || !Number.isFinite(v.lastRunAt)) return undefined;
  if (typeof v.totalRunCount !== 'number' || !Number.isInteger(v.totalRunCount)) return undefined;
  return { lastRunAt: v.lastRunAt, totalRunCount: v.totalRunCount };
}
