/**
 * Per-task rate limits on one worker (Celery's `rate_limit`): which reserved request may start
 * now, with a token bucket per task name; a request held back by its limit holds back only its
 * own task, and a timer wakes the worker when the next token is due.
 */
import { parseRateLimit, TokenBucket, type RateLimit } from './rate-limit.js';
import type { HeldRequest } from './held-request.js';

export class RateGate {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #overrides = new Map<string, number | null>();
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly wake: () => void) {}

  /** True when no request can be held back (the common case: nothing to check). */
  open(first: HeldRequest): boolean {
    return this.#buckets.size === 0 && this.#overrides.size === 0 && first.task.options.rateLimit === undefined;
  }

  /** Sets (or with null, removes) a task's limit (remote control `rate_limit`). */
  set(taskName: string, limit: RateLimit): void {
    this.#overrides.set(taskName, parseRateLimit(limit));
    this.#buckets.delete(taskName);
  }

  /** The index in `reserved` of the first request allowed to start now (taking its token), or -1. */
  next(reserved: readonly HeldRequest[]): number {
    const now = Date.now();
    let wait = Infinity;
    for (let i = 0; i < reserved.length; i++) {
      const ms = this.#wait(reserved[i]!, now);
      if (ms === 0) return i;
      wait = Math.min(wait, ms);
    }
    if (wait !== Infinity && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.wake();
      }, wait);
    }
    return -1;
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Milliseconds before a task of this name may start (0 = now); takes the token when it returns 0. */
  #wait(h: HeldRequest, now: number): number {
    const name = h.req.name;
    const perSecond = this.#overrides.has(name) ? this.#overrides.get(name)! : parseRateLimit(h.task.options.rateLimit);
    if (perSecond === null) return 0;
    let bucket = this.#buckets.get(name);
    if (!bucket || bucket.perSecond !== perSecond) this.#buckets.set(name, (bucket = new TokenBucket(perSecond, now)));
    return bucket.take(now);
  }
}
