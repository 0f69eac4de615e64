/** Task history in this process's memory, bounded by bytes and age (the default store). */
import type { TrackedTask } from '../task-monitor.js';
import {
  HISTORY_DEFAULTS, ScoreClock, matchesQuery, secondsToScore, snapshotBytes,
  type HistoryBounds, type HistoryPage, type HistoryQuery, type TaskHistory,
} from './task-history.js';

interface Entry {
  json: string;
  state: string;
  score: number;
  bytes: number;
}

export class MemoryTaskHistory implements TaskHistory {
  readonly maxBytes: number;
  readonly maxAgeSeconds: number;
  /** In score order: a changed task is moved to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #clock = new ScoreClock();
  #bytes = 0;

  constructor(options: HistoryBounds = {}) {
    this.maxBytes = Math.max(1024, options.maxBytes ?? HISTORY_DEFAULTS.maxBytes);
    this.maxAgeSeconds = Math.max(1, options.maxAgeSeconds ?? HISTORY_DEFAULTS.maxAgeSeconds);
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  record(task: TrackedTask, now: number = Date.now()): void {
    const json = JSON.stringify(task);
    const old = this.#entries.get(task.uuid);
    if (old) {
      this.#bytes -= old.bytes;
      this.#entries.delete(task.uuid);
    }
    const entry: Entry = { json, state: task.state, score: this.#clock.next(now), bytes: snapshotBytes(json) + task.uuid.length };
    this.#entries.set(task.uuid, entry);
    this.#bytes += entry.bytes;
    this.#trim(now);
  }

  async query(q: HistoryQuery, now: number = Date.now()): Promise<HistoryPage> {
    this.#trim(now);
    const limit = Math.max(1, q.limit ?? HISTORY_DEFAULTS.limit);
    const before = q.cursor ? Number(q.cursor) : Infinity;
    const from = q.from !== undefined ? secondsToScore(q.from) : -Infinity;
    const to = q.to !== undefined ? secondsToScore(q.to + 0.001) : Infinity;
    const all = [...this.#entries.values()];
    const tasks: TrackedTask[] = [];
    let next: string | null = null;
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i]!;
      if (e.score >= before || e.score > to) continue;
      if (e.score < from) break;
      const t = JSON.parse(e.json) as TrackedTask;
      if (!matchesQuery(t, q)) continue;
      if (tasks.length === limit) {
        next = String(tasks.length > 0 ? this.#entries.get(tasks[tasks.length - 1]!.uuid)!.score : e.score);
        break;
      }
      tasks.push(t);
    }
    return { tasks, next };
  }

  async get(id: string): Promise<TrackedTask | null> {
    const e = this.#entries.get(id);
    return e ? (JSON.parse(e.json) as TrackedTask) : null;
  }

  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const e of this.#entries.values()) out[e.state] = (out[e.state] ?? 0) + 1;
    return out;
  }

  async close(): Promise<void> {
    // nothing to write
  }

  /** Drops what is older than the age bound, then the oldest until under the byte bound. */
  #trim(now: number): void {
    const cutoff = secondsToScore(now / 1000 - this.maxAgeSeconds);
    for (const [id, e] of this.#entries) {
      if (e.score >= cutoff && this.#bytes <= this.maxBytes) break;
      this.#entries.delete(id);
      this.#bytes -= e.bytes;
    }
  }
}
