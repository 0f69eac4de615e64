/**
 * Celery's per-task rate limits, per worker: `'10/s'`, `'100/m'`, `'1000/h'`, or a number of
 * tasks per second. A token bucket per task name decides when the next one may start; tasks of
 * other names are not held up.
 */
import { ConfigurationError } from '../errors/task-errors.js';

export type RateLimit = string | number | null;

/** Tasks per second, or null for no limit (`null`, `0`, `'0'`, `''`). */
export function parseRateLimit(limit: RateLimit | undefined): number | null {
  if (limit === undefined || limit === null || limit === '' || limit === 0 || limit === '0') return null;
  if (typeof limit === 'number') {
    if (!(limit > 0)) throw new ConfigurationError(`rate limit must be positive, got ${limit}`);
    return limit;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*([smh]))?\s*$/.exec(limit);
  if (!m) throw new ConfigurationError(`rate limit ${JSON.stringify(limit)}: use "10/s", "100/m", "1000/h" or a number per second`);
  const n = Number(m[1]);
  if (n === 0) return null;
  return n / ({ s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h']);
}

export class TokenBucket {
  #tokens: number;
  #updated: number;

  constructor(readonly perSecond: number, now = Date.now()) {
    // a burst of at most one second's worth, at least one
    this.#tokens = Math.max(1, perSecond);
    this.#updated = now;
  }

  /** Takes a token if one is there and returns 0; otherwise the milliseconds until one will be. */
  take(now = Date.now()): number {
    const capacity = Math.max(1, this.perSecond);
    this.#tokens = Math.min(capacity, this.#tokens + ((now - this.#updated) / 1000) * this.perSecond);
    this.#updated = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.perSecond) * 1000);
  }
}
