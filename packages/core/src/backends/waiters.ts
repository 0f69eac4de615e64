/**
 * Waiters for result documents, shared by every backend: a waiter resolves on the first
 * ready document, sees intermediate states through `onUpdate`, and times out or aborts.
 */
import { ResultTimeoutError } from '../errors/result-errors.js';
import type { ResultMeta } from '../protocol/result-meta.js';
import { isReady } from '../protocol/states.js';
import type { WaitOptions } from './result-backend.js';

interface Waiter {
  resolve: (meta: ResultMeta) => void;
  reject: (err: Error) => void;
  onUpdate: ((meta: ResultMeta) => void) | undefined;
}

export class Waiters {
  readonly #byId = new Map<string, Set<Waiter>>();

  get size(): number {
    return this.#byId.size;
  }

  has(taskId: string): boolean {
    return this.#byId.has(taskId);
  }

  /** Registers a waiter; `onEmpty` runs when the last waiter for this id leaves. */
  add(taskId: string, options: WaitOptions, onEmpty?: () => void): Promise<ResultMeta> {
    return new Promise<ResultMeta>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const set = this.#byId.get(taskId);
        if (set) {
          set.delete(waiter);
          if (set.size === 0) {
            this.#byId.delete(taskId);
            onEmpty?.();
          }
        }
      };
      const waiter: Waiter = {
        resolve: (m) => { cleanup(); resolve(m); },
        reject: (e) => { cleanup(); reject(e); },
        onUpdate: options.onUpdate,
      };
      const onAbort = () => waiter.reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined && options.timeoutMs !== Infinity) {
        timer = setTimeout(() => waiter.reject(new ResultTimeoutError(taskId, options.timeoutMs!)), options.timeoutMs);
      }
      let set = this.#byId.get(taskId);
      if (!set) this.#byId.set(taskId, (set = new Set()));
      set.add(waiter);
    });
  }

  /** A document arrived for `taskId`. */
  deliver(meta: ResultMeta): void {
    const set = this.#byId.get(meta.task_id);
    if (!set) return;
    const ready = isReady(meta.status);
    for (const w of [...set]) {
      if (ready) w.resolve(meta);
      else w.onUpdate?.(meta);
    }
  }

  rejectAll(err: Error): void {
    for (const set of [...this.#byId.values()]) for (const w of [...set]) w.reject(err);
  }
}
