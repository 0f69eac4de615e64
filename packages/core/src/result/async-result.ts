/**
 * A handle on a task's outcome, like Celery's AsyncResult. `get()` waits (pushed by the
 * backend, not polled), resolves with the return value, and rejects with `RemoteTaskError`
 * when the task failed or was revoked.
 */
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
    // loaded on use: group-result.ts extends this class, so a static import would be circular
    const { resultFromTuple } = await import('./group-result.js');
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
