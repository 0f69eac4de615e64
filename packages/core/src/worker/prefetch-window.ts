/**
 * The prefetch window, bounded by count and by bytes. As in Celery, each ETA task held in
 * memory raises the window by one so held tasks do not starve the worker, but only up to
 * `etaTaskLimit` (Celery 5.6's `worker_eta_task_limit`). And while the message bodies held
 * waiting (reserved and ETA buffers) weigh more than `maxBufferedBytes`, the window closes
 * (RabbitMQ sends nothing new until it opens again). AMQP's prefetch counts messages only, so
 * the byte bound is kept by moving the count. `desired()` is pure; `sync()` tells the broker
 * only when the answer changed.
 */

export interface WindowState {
  /** The configured window (concurrency × multiplier); 0 means unlimited. */
  base: number;
  etaHeld: number;
  etaTaskLimit: number | null;
  bufferedBytes: number;
  maxBufferedBytes: number;
}

/** The prefetch count for this state (0 = unlimited, 1 = closed while anything is unacknowledged). */
export function desiredPrefetch(s: WindowState): number {
  if (s.bufferedBytes >= s.maxBufferedBytes) return 1;
  if (s.base === 0) return 0;
  return s.base + Math.min(s.etaHeld, s.etaTaskLimit ?? Infinity);
}

export class PrefetchWindow {
  #current: number;
  #closed = false;
  #pending: Promise<void> = Promise.resolve();

  constructor(initial: number, private readonly apply: (count: number) => Promise<void>) {
    this.#current = initial;
  }

  /** True while the byte bound keeps the window closed. */
  get closed(): boolean {
    return this.#closed;
  }

  sync(state: WindowState): void {
    this.#closed = state.bufferedBytes >= state.maxBufferedBytes;
    const next = desiredPrefetch(state);
    if (next === this.#current) return;
    this.#current = next;
    // in order, so the broker ends with the last value asked for
    this.#pending = this.#pending.then(() => this.apply(next)).catch(() => undefined);
  }

  /**
   * Tells the broker the current value again: deliveries can arrive (and change the window)
   * before the consumer that `apply` talks to is known, so the worker calls this once it is.
   */
  reapply(): void {
    const count = this.#current;
    this.#pending = this.#pending.then(() => this.apply(count)).catch(() => undefined);
  }
}
