/** In-process result backend (the embedded default, and unit tests). Supports chords. */
import type { ResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import { newId } from '../util/ids.js';
import type { ChordCompletion, ChordPart, ResultBackend, StoreTarget, WaitOptions } from './result-backend.js';
import { Waiters } from './waiters.js';
import { isReady } from '../protocol/states.js';

export class MemoryBackend implements ResultBackend {
  readonly kind = 'memory';
  readonly supportsChords = true;
  readonly #results = new Map<string, ResultMeta>();
  readonly #waiters = new Waiters();
  readonly #groups = new Map<string, unknown>();
  readonly #chords = new Map<string, { size: number; parts: Map<string, ChordPart> }>();
  readonly #oid = newId();

  async prepareClient(): Promise<string> {
    return this.#oid;
  }

  async store(meta: ResultMeta, _target: StoreTarget): Promise<void> {
    const existing = this.#results.get(meta.task_id);
    if (existing?.status === TaskState.SUCCESS && meta.status !== TaskState.SUCCESS) return;
    this.#results.set(meta.task_id, meta);
    this.#waiters.deliver(meta);
  }

  async get(taskId: string): Promise<ResultMeta | null> {
    return this.#results.get(taskId) ?? null;
  }

  async wait(taskId: string, options: WaitOptions = {}): Promise<ResultMeta> {
    const current = this.#results.get(taskId);
    if (current && isReady(current.status)) return current;
    if (current) options.onUpdate?.(current);
    return this.#waiters.add(taskId, options);
  }

  async forget(taskId: string): Promise<void> {
    this.#results.delete(taskId);
  }

  async exists(taskId: string): Promise<boolean> {
    return this.#results.has(taskId);
  }

  async saveGroup(groupId: string, result: unknown): Promise<void> {
    this.#groups.set(groupId, result);
  }

  async restoreGroup(groupId: string): Promise<unknown> {
    return this.#groups.get(groupId) ?? null;
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.#groups.delete(groupId);
  }

  async chordInit(groupId: string, size: number): Promise<void> {
    this.#chords.set(groupId, { size, parts: new Map() });
  }

  async chordPartDone(part: ChordPart): Promise<ChordCompletion | null> {
    const chord = this.#chords.get(part.groupId);
    if (!chord) return null;
    chord.parts.set(part.taskId, part);
    if (chord.parts.size < chord.size) return null;
    this.#chords.delete(part.groupId);
    const members = [...chord.parts.values()]
      .sort((a, b) => (a.groupIndex ?? Infinity) - (b.groupIndex ?? Infinity))
      .map((p) => ({ taskId: p.taskId, status: p.meta.status, result: p.meta.result }));
    return { members };
  }

  async close(): Promise<void> {
    this.#waiters.rejectAll(new Error('result backend closed'));
  }
}
