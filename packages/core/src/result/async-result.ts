/**
 * A handle on a task's outcome, like Celery's AsyncResult. `get()` waits (pushed by the
 * backend, not polled), resolves with the return value, and rejects with `RemoteTaskError`
 * when the task failed or was revoked.
 */
import type { Applied } from '../canvas/freeze.js';
import { ConfigurationError } from '../errors/task-errors.js';
import { appliedFromTuple, resultTuple, type ResultTuple } from './result-tuple.js';
import type { ResultBackend } from '../backends/result-backend.js';
import { remoteErrorFromMeta, type ResultMeta } from '../protocol/result-meta.js';
import { PROPAGATE_STATES, TaskState, isReady } from '../protocol/states.js';

export interface GetOptions {
  /** Milliseconds to wait before rejecting with `ResultTimeoutError`. @defaultValue no limit */
  timeout?: number;
  /** Reject on FAILURE / REVOKED; when false, resolve with the exception document. @defaultValue true */
  propagate?: boolean;
  signal?: AbortSignal;
  /** Called on every intermediate state (STARTED, RETRY, custom states). */
  onUpdate?: (meta: ResultMeta) => void;
}

export class AsyncResult<R = unknown> {
  readonly id: string;
  /** The result this one came after: for a chord's result, its header's GroupResult. */
  readonly parent: AsyncResult<unknown> | null;
  readonly #backend: ResultBackend;

  constructor(id: string, backend: ResultBackend, parent: AsyncResult<unknown> | null = null) {
    this.id = id;
    this.#backend = backend;
    this.parent = parent;
  }

  /** The backend this result is read from. */
  get backend(): ResultBackend {
    return this.#backend;
  }

  /** Waits for the task to finish and returns its result. */
  async get(options: GetOptions = {}): Promise<R> {
    const meta = await this.#backend.wait(this.id, {
      ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onUpdate ? { onUpdate: options.onUpdate } : {}),
    });
    if (PROPAGATE_STATES.has(meta.status) && options.propagate !== false) throw remoteErrorFromMeta(meta);
    return meta.result as R;
  }

  /** The latest stored document, or null (PENDING: nothing known yet). */
  info(): Promise<ResultMeta | null> {
    return this.#backend.get(this.id);
  }

  async state(): Promise<string> {
    return (await this.info())?.status ?? TaskState.PENDING;
  }

  async ready(): Promise<boolean> {
    return isReady(await this.state());
  }

  async successful(): Promise<boolean> {
    return (await this.state()) === TaskState.SUCCESS;
  }

  async failed(): Promise<boolean> {
    return (await this.state()) === TaskState.FAILURE;
  }

  /**
   * True when the backend holds a document for this id (Celery 5.7's `exists()`): tells a task
   * still waiting to run from an id never sent, forgotten or expired, which are all PENDING.
   */
  exists(): Promise<boolean> {
    return this.#backend.exists(this.id);
  }

  /**
   * The tasks this task sent while it ran, plus its callbacks and next chain step, as the
   * worker recorded them (Celery's `children`): AsyncResults, or GroupResults for groups.
   */
  async children(): Promise<AsyncResult<unknown>[]> {
    const tuples = (await this.info())?.children ?? [];
    return tuples.map((t) => resultFromTuple(t, this.#backend)).filter((r): r is AsyncResult<unknown> => r !== null);
  }

  /** Removes the stored result. */
  forget(): Promise<void> {
    return this.#backend.forget(this.id);
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}

/**
 * The results of a group, like Celery's GroupResult: `get()` returns every member's result in
 * order; `save()` / `GroupResult.restore()` keep it in the backend (`celery-taskset-meta-<id>`
 * on redis) so another process, Python or Node, can pick it up by id. It lives beside
 * AsyncResult because `children()` returns both kinds.
 */
export class GroupResult<T extends readonly unknown[] = unknown[]> extends AsyncResult<T> {
  readonly results: AsyncResult<T[number]>[];

  constructor(id: string, results: AsyncResult<T[number]>[], backend: ResultBackend, parent: AsyncResult<unknown> | null = null) {
    super(id, backend, parent);
    this.results = results;
  }

  /** A saved group, by id (Celery's `GroupResult.restore`); null when none was saved. */
  static async restore(backend: ResultBackend, id: string): Promise<GroupResult | null> {
    if (!backend.restoreGroup) throw new ConfigurationError(`the ${backend.kind} result backend cannot restore groups; use redis://`);
    const saved = await backend.restoreGroup(id);
    const r = saved === null ? null : resultFromTuple(saved, backend);
    return r instanceof GroupResult ? r : null;
  }

  /**
   * Waits for every member. With `propagate` (default) the first failure rejects; otherwise
   * failed members are returned as their exception documents. `timeout` covers the whole group.
   */
  override async get(options: GetOptions = {}): Promise<T> {
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    const out: unknown[] = [];
    for (const r of this.results) {
      const left = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      out.push(await r.get({ ...options, ...(left !== undefined ? { timeout: left } : {}) }));
    }
    return out as unknown as T;
  }

  join(options: GetOptions = {}): Promise<T> {
    return this.get(options);
  }

  /** Settles every member and reports each one, without rejecting. */
  async settle(options: Omit<GetOptions, 'propagate'> = {}): Promise<PromiseSettledResult<T[number]>[]> {
    return Promise.allSettled(this.results.map((r) => r.get(options)));
  }

  /** A group has no document of its own; this is null unless the group was saved. */
  override async info(): Promise<ResultMeta | null> {
    return null;
  }

  /** SUCCESS when every member succeeded, the first FAILURE / REVOKED met, otherwise PENDING. */
  override async state(): Promise<string> {
    const states = await Promise.all(this.results.map((r) => r.state()));
    const failed = states.find((s) => PROPAGATE_STATES.has(s));
    if (failed) return failed;
    return states.every((s) => s === TaskState.SUCCESS) ? TaskState.SUCCESS : TaskState.PENDING;
  }

  override async ready(): Promise<boolean> {
    for (const r of this.results) if (!(await r.ready())) return false;
    return true;
  }

  /** True when any member failed. */
  override async failed(): Promise<boolean> {
    for (const r of this.results) if (await r.failed()) return true;
    return false;
  }

  async completedCount(): Promise<number> {
    let n = 0;
    for (const r of this.results) if (await r.successful()) n++;
    return n;
  }

  /** True when the group was saved (`save()`). */
  override async exists(): Promise<boolean> {
    return (await this.backend.restoreGroup?.(this.id)) != null;
  }

  override async children(): Promise<AsyncResult<unknown>[]> {
    return [...this.results];
  }

  /** Forgets every member's result (Celery's `ResultSet.forget`). */
  override async forget(): Promise<void> {
    for (const r of this.results) await r.forget();
  }

  /** Stores the group under its id, so `GroupResult.restore(backend, id)` works anywhere. */
  async save(): Promise<void> {
    if (!this.backend.saveGroup) throw new ConfigurationError(`the ${this.backend.kind} result backend cannot save groups; use redis://`);
    await this.backend.saveGroup(this.id, this.asTuple());
  }

  /** Removes the saved group (not its members' results). */
  async delete(): Promise<void> {
    await this.backend.deleteGroup?.(this.id);
  }

  asTuple(): ResultTuple {
    return resultTuple(appliedOf(this));
  }
}

/** The AsyncResult / GroupResult a frozen or applied canvas resolves to. */
export function resultFromApplied(a: Applied, backend: ResultBackend): AsyncResult<unknown> {
  const parent = a.parent ? resultFromApplied(a.parent, backend) : null;
  return a.kind === 'group'
    ? new GroupResult(a.id, a.members.map((m) => resultFromApplied(m, backend)), backend, parent)
    : new AsyncResult(a.id, backend, parent);
}

/** Celery's `result_from_tuple`; null when the value is not a result tuple. */
export function resultFromTuple(value: unknown, backend: ResultBackend): AsyncResult<unknown> | null {
  const a = appliedFromTuple(value);
  return a ? resultFromApplied(a, backend) : null;
}

function appliedOf(r: AsyncResult<unknown>): Applied {
  const parent = r.parent ? { parent: appliedOf(r.parent) } : {};
  return r instanceof GroupResult ? { kind: 'group', id: r.id, members: r.results.map(appliedOf), ...parent } : { kind: 'task', id: r.id, ...parent };
}
