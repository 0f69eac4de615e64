/**
 * What crosses between the worker and a pool child (a worker thread or a child process): the
 * messages both ways, and errors and outcomes in a form the structured clone algorithm carries
 * unchanged (plain objects, strings, numbers, Dates; no classes, no functions). An error keeps
 * what the result store needs: its name, message, stack and the Python type it maps to
 * (`excType`, `excModule`, `args`). Pure.
 */
import type { Applied } from '../../canvas/freeze.js';
import { errorToExcInfo } from '../../protocol/result-meta.js';
import type { TaskState } from '../../protocol/states.js';
import type { TaskContext } from '../task-context.js';
import { RetryRequest, type Outcome } from '../run-task.js';

/** An error as plain data. */
export interface WireError {
  name: string;
  message: string;
  stack: string | null;
  excType: string;
  excModule: string;
  args: unknown[];
}

export type WireOutcome =
  | { kind: 'success'; value: unknown; runtime: number }
  | { kind: 'retry'; when: number; exc: WireError | null; overrides: { queue?: string; args?: unknown[]; kwargs?: Record<string, unknown> }; runtime: number }
  | { kind: 'reject'; requeue: boolean; reason: string; runtime: number }
  | { kind: 'ignore'; runtime: number }
  | { kind: 'failure'; error: WireError; runtime: number }
  /** The task returned a value the structured clone algorithm cannot carry (a function, a symbol...). */
  | { kind: 'unencodable'; error: WireError; runtime: number };

/** What a child needs to run one task. */
export interface PoolJob {
  jobId: number;
  /** The task request, without its lazy reprs (the child rebuilds them). */
  req: Record<string, unknown>;
  hostname: string;
  deliveryInfo: TaskContext['deliveryInfo'];
  /** Seconds; the soft limit is kept by the child, the hard one by the worker (it kills the child). */
  softTimeLimit: number | null;
}

/** First message to a child: where the app is. */
export interface ChildInit {
  /** The module path or file URL that exports the app. */
  module: string;
  /** The named export that holds the app. */
  exportName: string;
  kind: 'threads' | 'processes';
}

export type ToChild =
  | { type: 'init'; init: ChildInit }
  | { type: 'run'; job: PoolJob }
  | { type: 'reply'; callId: number; error: WireError | null }
  /** Finish and exit (recycling, shrinking, shutdown). */
  | { type: 'exit' };

export type FromChild =
  | { type: 'ready'; tasks: string[] }
  | { type: 'load-failed'; error: WireError }
  | { type: 'call'; callId: number; jobId: number; call: ChildCall }
  | { type: 'done'; jobId: number; outcome: WireOutcome; children: Applied[]; memoryKiB: number }
  /** An exception nothing caught (a throw from a timer, an unhandled rejection); the child exits after it. */
  | { type: 'uncaught'; jobId: number | null; error: WireError };

/** What task code in a child asks of the worker while it runs. */
export type ChildCall =
  | { method: 'updateState'; state: TaskState; meta: unknown }
  | { method: 'replace'; sig: unknown };

export function toWireError(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const info = errorToExcInfo(e);
  return {
    name: e.name, message: e.message, stack: e.stack ?? null, excType: info.exc_type, excModule: info.exc_module, args: cloneable(info.exc_message),
  };
}

export function fromWireError(w: WireError): Error {
  const err = Object.assign(new Error(w.message), { excType: w.excType, excModule: w.excModule, args: w.args });
  err.name = w.name;
  err.stack = w.stack ?? `${w.name}: ${w.message}`;
  return err;
}

export function toWireOutcome(o: Outcome): WireOutcome {
  switch (o.kind) {
    case 'success':
    case 'ignore':
    case 'reject':
      return o;
    case 'failure':
      return { kind: 'failure', error: toWireError(o.error), runtime: o.runtime };
    case 'retry':
      return { kind: 'retry', when: o.retry.when.getTime(), exc: o.retry.exc ? toWireError(o.retry.exc) : null, overrides: o.retry.overrides, runtime: o.runtime };
  }
}

/** The worker's outcome for a child's; `unencodable` is the caller's to settle. */
export function fromWireOutcome(o: Exclude<WireOutcome, { kind: 'unencodable' }>): Outcome {
  switch (o.kind) {
    case 'success':
    case 'ignore':
    case 'reject':
      return o;
    case 'failure':
      return { kind: 'failure', error: fromWireError(o.error), runtime: o.runtime };
    case 'retry':
      return { kind: 'retry', retry: new RetryRequest(new Date(o.when), o.exc ? fromWireError(o.exc) : undefined, o.overrides), runtime: o.runtime };
  }
}

/** Exception arguments that cannot be cloned become their text (they end up as reprs anyway). */
function cloneable(args: unknown[]): unknown[] {
  return args.map((a) => {
    try {
      structuredClone(a);
      return a;
    } catch {
      return String(a);
    }
  });
}
