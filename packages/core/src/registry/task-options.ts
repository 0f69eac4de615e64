/** Options a task is defined with (`app.task(name, fn, options)`), Celery's task attributes. */
export type ErrorMatcher = (new (...args: never[]) => Error) | ((err: unknown) => boolean);

export interface TaskOptions {
  /**
   * Names of the positional parameters. Keyword arguments with these names (for example from
   * a Python caller, `add.apply_async(kwargs={'x': 1, 'y': 2})`) are placed at those positions.
   * All keyword arguments are also on the task context as `this.kwargs`.
   */
  params?: readonly string[];
  /** Queue this task is sent to unless the call or the routes table says otherwise. */
  queue?: string;
  /** Do not store SUCCESS results (failures are still stored, as Celery does). @defaultValue false */
  ignoreResult?: boolean;
  /** Store a STARTED state when the task begins. @defaultValue false */
  trackStarted?: boolean;
  /** Most retries allowed through `retry()` / `autoretryFor`; null means unlimited. @defaultValue 3 */
  maxRetries?: number | null;
  /** Seconds before a retry when `retry()` is given no countdown. @defaultValue 180 */
  defaultRetryDelay?: number;
  /** Errors that trigger an automatic retry (classes or predicates). @defaultValue [] */
  autoretryFor?: readonly ErrorMatcher[];
  /** Exponential backoff for automatic retries: `true` = 1 s base, a number = base seconds. @defaultValue false */
  retryBackoff?: boolean | number;
  /** Cap for the backoff, seconds. @defaultValue 600 */
  retryBackoffMax?: number;
  /** Randomise backoff delays (full jitter). @defaultValue true */
  retryJitter?: boolean;
  /**
   * Hard time limit in seconds: FAILURE TimeLimitExceeded. With `-P threads` / `-P processes`
   * the thread or process running the task is killed and replaced; in the `async` pool the
   * task is abandoned (its AbortSignal fires, its late outcome is ignored).
   */
  timeLimit?: number;
  /** Soft time limit in seconds: the task's `signal` aborts. */
  softTimeLimit?: number;
  /** Acknowledge after the task finished (at-least-once). Overrides the worker setting. */
  acksLate?: boolean;
  /**
   * When the pool thread or process running this task dies, put the message back on its queue
   * instead of storing FAILURE WorkerLostError (Celery's `reject_on_worker_lost`; late ack
   * only; bounded by the worker's `deliveryLimit`). Overrides the worker setting.
   */
  rejectOnWorkerLost?: boolean;
  /** Default priority (0-255, RabbitMQ needs `x-max-priority` on the queue). */
  priority?: number;
  /**
   * Most tasks of this name started per second on each worker, as Celery's `rate_limit`:
   * `'10/s'`, `'100/m'`, `'1000/h'` or a number per second. Other tasks are not held up.
   */
  rateLimit?: string | number;
}

export const TASK_DEFAULTS = Object.freeze({
  ignoreResult: false,
  trackStarted: false,
  maxRetries: 3 as number | null,
  defaultRetryDelay: 180,
  retryBackoffMax: 600,
  retryJitter: true,
});
