/** An in-process ScheduleStore: state lasts as long as the instance. */
import { sameState, type EntryState, type ScheduleStore } from './schedule-store.js';

export class MemoryStore implements ScheduleStore {
  readonly #entries = new Map<string, EntryState>();

  async load(): Promise<Map<string, EntryState>> {
    return new Map(this.#entries);
  }

  async claim(name: string, expected: EntryState | undefined, next: EntryState): Promise<boolean> {
    if (!sameState(this.#entries.get(name), expected)) return false;
    this.#entries.set(name, { lastRunAt: next.lastRunAt, totalRunCount: next.totalRunCount });
    return true;
  }

  async remove(names: readonly string[]): Promise<void> {
    for (const n of names) this.#entries.delete(n);
  }

  async close(): Promise<void> {}
}
