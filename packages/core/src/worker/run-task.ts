/**
 * Runs one task function: builds its context, maps keyword arguments onto declared
 * parameters, applies soft (AbortSignal) and hard (abandon) time limits, and classifies the
 * outcome. No broker or backend calls happen here.
 */
import { Ignore, Reject, Retry } from '../errors/task-control.js';
import { MaxRetriesExceededError, TimeLimitExceededError } from '../errors/task-errors.js';
import { toError } from '../errors/base-error.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { TaskState } from '../protocol/states.js';
import type { RegisteredTask } from '../registry/task.js';
import { TASK_DEFAULTS, type ErrorMatcher } from '../registry/task-options.js';
import { backoffDelay } from '../util/backoff.js';
import type { Applied } from '../canvas/freeze.js';
import { CHILDREN, runWithContext, type RetryOptions, type TaskContext } from './task-context.js';

/** A retry request, with what the worker needs to republish. */
export class RetryRequest extends Retry {
  constructor(when: Date, exc: Error | undefined, readonly overrides: Pick<RetryOptions, 'queue' | 'args' | 'kwargs'>) {
    super(when, exc);
  }
}

export type Outcome =
  | { kind: 'success'; value: unknown; runtime: number }
  | { kind: 'retry'; retry: RetryRequest; runtime: number }
  | { kind: 'reject'; requeue: boolean; reason: string; runtime: number }
  | { kind: 'ignore'; runtime: number }
  | { kind: 'failure'; error: Error; runtime: number };

export interface RunEnv {
  hostname: string;
  deliveryInfo: TaskContext['deliveryInfo'];
  /** Aborted by revoke(terminate) or a forced shutdown. */
  abort: AbortController;
  updateState(state: TaskState, meta: unknown): Promise<void>;
  /** Sends the replacement of `this.replace(sig)`, then throws `Ignore`. */
  replace(sig: unknown): Promise<never>;
  /** Collects the results of what the task sends (its `children`). */
  children: Applied[];
  /**
   * Time limits in seconds, as `taskTimeLimits()` resolves them. A null hard limit here means
   * someone else keeps it (a pool child: the worker kills it).
   */
  limits: TimeLimits;
}

export interface TimeLimits {
  hard: number | null;
  soft: number | null;
}

/** The limits a request runs with: the message's `timelimit`, else the task's options, else the worker's defaults. */
export function taskTimeLimits(req: TaskRequest, opts: RegisteredTask['options'], defaults: TimeLimits): TimeLimits {
  return {
    hard: req.timelimit[0] ?? opts.timeLimit ?? defaults.hard,
    soft: req.timelimit[1] ?? opts.softTimeLimit ?? defaults.soft,
  };
}

export async function runTask(task: RegisteredTask, req: TaskRequest, env: RunEnv): Promise<Outcome> {
  const started = performance.now();
  const { hard, soft } = env.limits;
  const ctx = makeContext(task, req, env);
  let hardTimer: NodeJS.Timeout | undefined;
  let softTimer: NodeJS.Timeout | undefined;
  try {
    const args = bindArguments(task.options.params, req.args, req.kwargs);
    if (soft !== null) {
      softTimer = setTimeout(() => env.abort.abort(Object.assign(new Error(`soft time limit (${soft}s) exceeded`), { name: 'SoftTimeLimitExceeded', excType: 'SoftTimeLimitExceeded', excModule: 'billiard.exceptions', args: [] })), soft * 1000);
    }
    const running = Promise.resolve(runWithContext(ctx, () => task.handler.apply(ctx, args)));
    const value = hard === null ? await running : await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        hardTimer = setTimeout(() => {
          env.abort.abort(new TimeLimitExceededError(hard));
          running.catch(() => undefined); // abandoned: its late outcome is ignored
          reject(new TimeLimitExceededError(hard));
        }, hard * 1000);
      }),
    ]);
    return { kind: 'success', value, runtime: secondsSince(started) };
  } catch (thrown) {
    return classify(task, req, thrown, secondsSince(started));
  } finally {
    clearTimeout(hardTimer);
    clearTimeout(softTimer);
  }
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

function classify(task: RegisteredTask, req: TaskRequest, thrown: unknown, runtime: number): Outcome {
  if (thrown instanceof RetryRequest) return { kind: 'retry', retry: thrown, runtime };
  if (thrown instanceof Retry) return { kind: 'retry', retry: new RetryRequest(thrown.when, thrown.exc, {}), runtime };
  if (thrown instanceof Reject) return { kind: 'reject', requeue: thrown.requeue, reason: thrown.message, runtime };
  if (thrown instanceof Ignore) return { kind: 'ignore', runtime };
  const error = toError(thrown);
  if (error instanceof TimeLimitExceededError) return { kind: 'failure', error: timeLimitError(error), runtime };
  const opts = task.options;
  if (opts.autoretryFor && opts.autoretryFor.some((m) => matches(m, error))) {
    const max = opts.maxRetries === undefined ? TASK_DEFAULTS.maxRetries : opts.maxRetries;
    if (max === null || req.retries < max) {
      const seconds = opts.retryBackoff
        ? backoffDelay(req.retries, {
          baseMs: (opts.retryBackoff === true ? 1 : opts.retryBackoff) * 1000,
          maxMs: (opts.retryBackoffMax ?? TASK_DEFAULTS.retryBackoffMax) * 1000,
          jitter: opts.retryJitter ?? TASK_DEFAULTS.retryJitter,
        }) / 1000
        : opts.defaultRetryDelay ?? TASK_DEFAULTS.defaultRetryDelay;
      return { kind: 'retry', retry: new RetryRequest(new Date(Date.now() + seconds * 1000), error, {}), runtime };
    }
  }
  return { kind: 'failure', error, runtime };
}

/** Python reports a hard limit as billiard's TimeLimitExceeded with the limit as its argument. */
export function timeLimitError(err: TimeLimitExceededError): Error {
  return Object.assign(err, { excType: 'TimeLimitExceeded', excModule: 'billiard.exceptions', args: [err.seconds] });
}

function matches(m: ErrorMatcher, err: Error): boolean {
  if (m.prototype instanceof Error || m === Error) return err instanceof (m as new () => Error);
  return (m as (e: unknown) => boolean)(err);
}

/** Keyword arguments named in `params` become positional; the rest stay on `this.kwargs`. */
export function bindArguments(params: readonly string[] | undefined, args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  if (!params || params.length === 0) return args;
  const out = [...args];
  params.forEach((name, i) => {
    if (!Object.hasOwn(kwargs, name)) return;
    if (i < args.length) {
      throw Object.assign(new TypeError(`got multiple values for argument '${name}'`), { excType: 'TypeError', excModule: 'builtins' });
    }
    while (out.length < i) out.push(undefined);
    out[i] = kwargs[name];
  });
  return out;
}

const ENV = Symbol('run env');

/**
 * `signal` lives on this shared prototype and is read on demand: Node creates an AbortSignal
 * (an EventTarget, costly) on first access, and most tasks never look at it.
 */
const LAZY_SIGNAL: object = Object.freeze(Object.defineProperty({}, 'signal', {
  get(this: { [ENV]: RunEnv }): AbortSignal {
    return this[ENV].abort.signal;
  },
  enumerable: true,
}));

// Methods, not arrow properties: the build wraps each arrow property in a name-setting call per task.
function makeContext(task: RegisteredTask, req: TaskRequest, env: RunEnv): TaskContext {
  const fields: Omit<TaskContext, 'signal'> & { [ENV]: RunEnv; [CHILDREN]: Applied[] } = {
    [ENV]: env,
    [CHILDREN]: env.children,
    id: req.id,
    name: req.name,
    args: req.args,
    kwargs: req.kwargs,
    retries: req.retries,
    headers: req.headers,
    rootId: req.rootId,
    parentId: req.parentId,
    group: req.group,
    groupIndex: req.groupIndex,
    eta: req.eta,
    expires: req.expires,
    hostname: env.hostname,
    deliveryInfo: env.deliveryInfo,
    retry(options: RetryOptions = {}): never {
      const max = options.maxRetries !== undefined ? options.maxRetries
        : task.options.maxRetries !== undefined ? task.options.maxRetries : TASK_DEFAULTS.maxRetries;
      const exc = options.exc === undefined ? undefined : toError(options.exc);
      if (max !== null && req.retries >= max) {
        if (exc) throw exc;
        throw new MaxRetriesExceededError(`Can't retry ${req.name}[${req.id}] args:${req.argsrepr} kwargs:${req.kwargsrepr}`);
      }
      const when = options.eta ?? new Date(Date.now() + (options.countdown ?? task.options.defaultRetryDelay ?? TASK_DEFAULTS.defaultRetryDelay) * 1000);
      throw new RetryRequest(when, exc, {
        ...(options.queue !== undefined ? { queue: options.queue } : {}),
        ...(options.args !== undefined ? { args: options.args } : {}),
        ...(options.kwargs !== undefined ? { kwargs: options.kwargs } : {}),
      });
    },
    updateState(state: TaskState, meta?: unknown): Promise<void> {
      return env.updateState(state, meta ?? null);
    },
    replace(sig: unknown): Promise<never> {
      return env.replace(sig);
    },
  };
  return Object.setPrototypeOf(fields, LAZY_SIGNAL) as TaskContext;
}
