/**
 * A ScheduleStore in one JSON file, Celery's `celerybeat-schedule` in spirit. Every change
 * writes a temporary file next to it, flushes it to disk and renames it over the old one, so
 * a crash leaves either the old state or the new one, never half a file.
 *
 * Each claim re-reads the file, so several beats on one host may share it (only the leader
 * writes). Beats on different hosts need a shared store: use RedisStore.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ScheduleStoreError } from '../errors.js';
import { sameState, toEntryState, type EntryState, type ScheduleStore } from './schedule-store.js';

const FORMAT_VERSION = 1;

export interface FileStoreOptions {
  /** Path of the state file; its directory must exist. */
  path: string;
}

export class FileStore implements ScheduleStore {
  readonly path: string;
  #queue: Promise<unknown> = Promise.resolve();
  #tmpCounter = 0;

  constructor(options: FileStoreOptions) {
    this.path = options.path;
  }

  load(): Promise<Map<string, EntryState>> {
    return this.#serial(() => this.#read());
  }

  claim(name: string, expected: EntryState | undefined, next: EntryState): Promise<boolean> {
    return this.#serial(async () => {
      const entries = await this.#read();
      if (!sameState(entries.get(name), expected)) return false;
      entries.set(name, { lastRunAt: next.lastRunAt, totalRunCount: next.totalRunCount });
      await this.#write(entries);
      return true;
    });
  }

  remove(names: readonly string[]): Promise<void> {
    return this.#serial(async () => {
      const entries = await this.#read();
      let changed = false;
      for (const n of names) changed = entries.delete(n) || changed;
      if (changed) await this.#write(entries);
    });
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined); // a failed operation already rejected its caller
  }

  /** One operation at a time, in call order, so read-compare-write is atomic within a process. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op, op);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #read(): Promise<Map<string, EntryState>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new ScheduleStoreError(`cannot read beat state ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ScheduleStoreError(`beat state ${this.path} is not JSON; move it away to start with a fresh state`, { cause: err });
    }
    const raw = (doc as { version?: unknown; entries?: unknown } | null);
    if (raw?.version !== FORMAT_VERSION || typeof raw.entries !== 'object' || raw.entries === null) {
      throw new ScheduleStoreError(`beat state ${this.path} has an unknown format (expected version ${FORMAT_VERSION})`);
    }
    const out = new Map<string, EntryState>();
    for (const [name, value] of Object.entries(raw.entries)) {
      const state = toEntryState(value);
      if (state) out.set(name, state);
    }
    return out;
  }

  async #write(entries: Map<string, EntryState>): Promise<void> {
    const doc = { version: FORMAT_VERSION, entries: Object.fromEntries(entries) };
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${++this.#tmpCounter}.tmp`);
    try {
      const handle = await open(tmp, 'w', 0o644);
      try {
        await handle.writeFile(JSON.stringify(doc, null, 2) + '\n', 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined); // the write error below is what matters
      throw new ScheduleStoreError(`cannot write beat state ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }
}
