/**
 * Task history: what the dashboard searches and pages through. The monitor merges Celery
 * events into task records; every change is recorded here as a snapshot, newest first, bounded
 * by bytes and by age. Two stores: `MemoryTaskHistory` (the default, gone on restart) and
 * `RedisTaskHistory` (durable, shared by every router pointed at the same Redis and prefix).
 */
import type { TrackedTask } from '../task-monitor.js';

export interface HistoryQuery {
  /** Exact state (`SUCCESS`, `FAILURE`...). */
  state?: string;
  /** Task name: exact, or a glob with `*`. */
  name?: string;
  /** Worker hostname, exact. */
  worker?: string;
  /** Task id, or its beginning (at least 4 characters). */
  id?: string;
  /** Root id: every task of one workflow (canvas). */
  rootId?: string;
  /** Free text: part of the name, id, arguments, result or exception (case-insensitive). */
  text?: string;
  /** Last change at or after this time (Unix seconds). */
  from?: number;
  /** Last change at or before this time (Unix seconds). */
  to?: number;
  /** @defaultValue 50 */
  limit?: number;
  /** Where the previous page ended (`next` of that page). */
  cursor?: string | null;
}

export interface HistoryPage {
  /** Most recently changed first. */
  tasks: TrackedTask[];
  /** Pass as `cursor` for the next (older) page; null when there is none. */
  next: string | null;
}

export interface TaskHistory {
  /** Records the task's current snapshot (asynchronous stores batch and write later). */
  record(task: TrackedTask): void;
  query(query: HistoryQuery): Promise<HistoryPage>;
  get(id: string): Promise<TrackedTask | null>;
  /** How many recorded tasks are in each state. */
  counts(): Promise<Record<string, number>>;
  /** Writes what is pending and releases resources (not a shared Redis client). */
  close(): Promise<void>;
}

export interface HistoryBounds {
  /** Estimated bytes of the recorded snapshots; the oldest are dropped past it. @defaultValue 33554432 (32 MiB) */
  maxBytes?: number;
  /** Seconds a task is kept after its last change. @defaultValue 86400 (a day) */
  maxAgeSeconds?: number;
}

export const HISTORY_DEFAULTS = Object.freeze({ maxBytes: 32 * 1024 * 1024, maxAgeSeconds: 86_400, limit: 50 });

/** Orders records: Unix ms × 1000 plus a per-process sequence, so two changes in one ms differ. */
export class ScoreClock {
  #last = 0;

  next(now: number = Date.now()): number {
    const base = Math.floor(now) * 1000;
    this.#last = Math.max(base, this.#last + 1);
    return this.#last;
  }
}

export const scoreToSeconds = (score: number): number => score / 1e6;
export const secondsToScore = (seconds: number): number => Math.floor(seconds * 1e6);

/** True when the task matches every filter of the query (not the time range or cursor). Pure. */
export function matchesQuery(t: TrackedTask, q: HistoryQuery): boolean {
  if (q.state !== undefined && t.state !== q.state) return false;
  if (q.worker !== undefined && t.worker !== q.worker) return false;
  if (q.rootId !== undefined && t.root_id !== q.rootId && t.uuid !== q.rootId) return false;
  if (q.id !== undefined && !t.uuid.startsWith(q.id)) return false;
  if (q.name !== undefined && !nameMatches(t.name ?? '', q.name)) return false;
  if (q.text !== undefined && q.text !== '') {
    const needle = q.text.toLowerCase();
    const hay = [t.name, t.uuid, t.args, t.kwargs, t.result, t.exception, t.worker].map((v) => (v ?? '').toLowerCase());
    if (!hay.some((h) => h.includes(needle))) return false;
  }
  return true;
}

function nameMatches(name: string, pattern: string): boolean {
  if (!pattern.includes('*')) return name === pattern;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

/** Estimated bytes of a snapshot as stored (JSON text). */
export function snapshotBytes(json: string): number {
  return json.length + 64;
}
