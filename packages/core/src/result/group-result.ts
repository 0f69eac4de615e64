/** The results of a group, like Celery's GroupResult: `get()` / `join()` return every member's result in order. */
import { AsyncResult, type GetOptions } from './async-result.js';

export class GroupResult<R = unknown> {
  readonly id: string;
  readonly results: AsyncResult<R>[];

  constructor(id: string, results: AsyncResult<R>[]) {
    this.id = id;
    this.results = results;
  }

  /**
   * Waits for every member. With `propagate` (default) the first failure rejects; otherwise
   * failed members are returned as their exception documents. `timeout` covers the whole group.
   */
  async get(options: GetOptions = {}): Promise<R[]> {
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    const out: R[] = [];
    for (const r of this.results) {
      const left = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      out.push(await r.get({ ...options, ...(left !== undefined ? { timeout: left } : {}) }));
    }
    return out;
  }

  join(options: GetOptions = {}): Promise<R[]> {
    return this.get(options);
  }

  /** Settles every member and reports each one, without rejecting. */
  async settle(options: Omit<GetOptions, 'propagate'> = {}): Promise<PromiseSettledResult<R>[]> {
    return Promise.allSettled(this.results.map((r) => r.get(options)));
  }

  async ready(): Promise<boolean> {
    for (const r of this.results) if (!(await r.ready())) return false;
    return true;
  }

  async completedCount(): Promise<number> {
    let n = 0;
    for (const r of this.results) if (await r.successful()) n++;
    return n;
  }
}
