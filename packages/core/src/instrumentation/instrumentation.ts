/**
 * Instrumentation: two wrappers an app can be given (`createApp({ instrumentation: [...] })`)
 * to observe every task it publishes and every task its workers run — tracing (see
 * `@celeriac/otel`), timing, extra headers. A wrapper receives what is known and a function
 * that does the work; it must call that function exactly once and return (or rethrow) its
 * result. Wrappers compose outermost-first in the order given. With no instrumentation the
 * publish and run paths do not change at all.
 */
import type { Route } from '../protocol/message.js';
import type { TaskRequest } from '../protocol/task-message.js';

/** A task message about to be published. */
export interface PublishInfo {
  readonly taskId: string;
  readonly taskName: string;
  readonly route: Route;
  /** The queue the route leads to, when known. */
  readonly queue: string | null;
  readonly rootId: string;
  readonly parentId: string | null;
  readonly groupId: string | null;
  readonly retries: number;
  /**
   * The message's application headers. A wrapper may add keys (strings, numbers, booleans,
   * null, lists and tables of those) before it calls `publish`; the broker layer encodes them.
   * Changing Celery's own headers (`id`, `task`, ...) is not supported.
   */
  readonly headers: Record<string, unknown>;
}

/** Wraps one publish; `publish()` resolves when the broker confirmed the message. */
export type PublishWrapper = (info: PublishInfo, publish: () => Promise<void>) => Promise<void>;

/** A task a worker is about to run. */
export interface TaskRunInfo {
  readonly request: TaskRequest;
  /** The worker's node name. */
  readonly hostname: string;
  readonly delivery: { readonly queue: string; readonly exchange: string; readonly routingKey: string; readonly redelivered: boolean };
}

/** How a run ended, as far as the worker knows once its outcome was recorded and the message settled. */
export type TaskRunOutcome =
  | { readonly status: 'success'; readonly runtime: number }
  | { readonly status: 'failure'; readonly runtime: number; readonly error: Error }
  | { readonly status: 'retry'; readonly runtime: number; readonly error: Error }
  | { readonly status: 'revoked'; readonly runtime: number; readonly error: Error }
  | { readonly status: 'rejected' | 'ignored'; readonly runtime: number; readonly reason: string }
  /** Running it or recording its outcome threw inside the worker; the message went back to the queue. */
  | { readonly status: 'requeued'; readonly runtime: number; readonly error: Error };

/**
 * Wraps the whole handling of one task: the task function, then storing its outcome and
 * sending what follows it (callbacks, the next chain step, a retry), so messages sent from
 * inside are children of this run.
 */
export type TaskRunWrapper = (info: TaskRunInfo, run: () => Promise<TaskRunOutcome>) => Promise<TaskRunOutcome>;

export interface Instrumentation {
  /** Shown in logs when a wrapper throws. */
  readonly name: string;
  readonly publish?: PublishWrapper;
  readonly run?: TaskRunWrapper;
}

/** A composed wrapper: the work runs exactly once, whatever the wrappers do. */
export type Wrapped<I, T> = (info: I, work: () => Promise<T>) => Promise<T>;

/** The publish wrappers of `list` as one, or null when there are none. */
export function composePublish(list: readonly Instrumentation[], onError: (err: unknown, name: string) => void): Wrapped<PublishInfo, void> | null {
  return compose(list.flatMap((i) => (typeof i.publish === 'function' ? [{ name: i.name, wrap: i.publish }] : [])), onError);
}

/** The run wrappers of `list` as one, or null when there are none. */
export function composeRun(list: readonly Instrumentation[], onError: (err: unknown, name: string) => void): Wrapped<TaskRunInfo, TaskRunOutcome> | null {
  return compose(list.flatMap((i) => (typeof i.run === 'function' ? [{ name: i.name, wrap: i.run }] : [])), onError);
}

/**
 * Nests the wrappers (first = outermost) and guards each one: its inner work runs exactly once
 * (a second call gets the first call's promise; a wrapper that never calls it, or throws
 * before, is reported to `onError` and the work runs anyway), and the result is the work's own
 * (an error a wrapper throws after the work is reported, not returned).
 */
function compose<I, T>(wrappers: readonly { name: string; wrap: Wrapped<I, T> }[], onError: (err: unknown, name: string) => void): Wrapped<I, T> | null {
  if (wrappers.length === 0) return null;
  return wrappers.reduceRight<Wrapped<I, T>>((inner, { name, wrap }) => (info, work) => guard(name, wrap, onError)(info, () => inner(info, work)), (_info, work) => work());
}

function guard<I, T>(name: string, wrap: Wrapped<I, T>, onError: (err: unknown, name: string) => void): Wrapped<I, T> {
  return async (info, work) => {
    let result: Promise<T> | null = null;
    const once = () => (result ??= work());
    let reported = false;
    try {
      await wrap(info, once);
    } catch (err) {
      if (result === null || !(await rejectedWith(result, err))) {
        onError(err, name);
        reported = true;
      }
    }
    if (result === null && !reported) onError(new Error(`instrumentation ${name} did not call the wrapped function`), name);
    return once();
  };
}

/** True when `p` rejected with exactly `err` (the wrapper passed the work's own error on). */
async function rejectedWith(p: Promise<unknown>, err: unknown): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (e) {
    return e === err;
  }
}
