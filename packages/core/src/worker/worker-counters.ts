/**
 * What happened to messages that did not simply run and succeed, counted per reason since the
 * worker started. Shown by `inspect stats` (key `celeriac`), sent in worker heartbeats, and
 * exported by `@celeriac/express` as `celeriac_worker_messages_total{reason=...}`.
 */
export const COUNTER_REASONS = [
  'requeued', 'redelivered', 'dead_lettered', 'delivery_limit', 'decode_failed', 'record_failed', 'worker_lost', 'running_copy',
] as const;
export type CounterReason = (typeof COUNTER_REASONS)[number];

/**
 * - `requeued`: put back on the queue after a passing failure to record the outcome (backend or broker down).
 * - `redelivered`: came back from the broker unacknowledged (a crash, a lost connection) and was counted.
 * - `dead_lettered`: moved to `<queue>.dlq`, for any reason.
 * - `delivery_limit`: reached the delivery limit (also counted in `dead_lettered`).
 * - `decode_failed`: the body or headers could not be decoded or parsed (also counted in `dead_lettered`).
 * - `record_failed`: the outcome could not be recorded as it was, so FAILURE was stored instead (an unencodable result, a malformed embed).
 * - `worker_lost`: the pool thread or process running the task died (FAILURE WorkerLostError, or requeued with `rejectOnWorkerLost`).
 * - `running_copy`: the broker delivered again a message whose task was still running here (its first delivery outlived
 *   the consumer timeout or the channel); the copy was held, not run, and settled when the task ended.
 */
export type WorkerCounterValues = Record<CounterReason, number>;

export class WorkerCounters {
  readonly #values: WorkerCounterValues = Object.fromEntries(COUNTER_REASONS.map((r) => [r, 0])) as WorkerCounterValues;

  increment(reason: CounterReason): void {
    this.#values[reason]++;
  }

  get(reason: CounterReason): number {
    return this.#values[reason];
  }

  /** A copy of every counter. */
  snapshot(): WorkerCounterValues {
    return { ...this.#values };
  }
}
