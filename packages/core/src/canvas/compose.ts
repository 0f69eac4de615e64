/**
 * chain / group / chord / map / starmap: build composite signatures in Celery's dict shape.
 * Types carry through where TypeScript can infer them: a chain resolves to its last step's
 * result, a group to the tuple of its members' results, a chord to its body's result.
 */
import { ConfigurationError } from '../errors/task-errors.js';
import { GroupSignature, Signature } from './signature.js';

type ResultOf<S> = S extends Signature<infer R> ? R : never;
type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : T[number];

function senderOf(sigs: readonly Signature[]): Signature['sender'] {
  const first = sigs[0];
  if (!first) throw new ConfigurationError('a canvas needs at least one signature');
  return first.sender;
}

/** Runs the steps one after another, each receiving the previous result as its first argument. */
export function chain<S extends readonly Signature[]>(...steps: S): Signature<ResultOf<Last<S>>> {
  return new Signature(senderOf(steps), {
    task: 'celery.chain',
    kwargs: { tasks: steps.map((s) => s.toDict()) },
    subtaskType: 'chain',
  });
}

/**
 * Runs the members in parallel; the result is the list of their results (`applyAsync()` gives
 * a GroupResult). A group nested directly in a group is spliced in, as Celery does.
 */
export function group<S extends readonly Signature[]>(...members: S): GroupSignature<{ [K in keyof S]: ResultOf<S[K]> }> {
  return new GroupSignature(senderOf(members), {
    task: 'celery.group',
    kwargs: { tasks: members.map((s) => s.toDict()) },
    subtaskType: 'group',
  });
}

/** Runs the header in parallel, then the body with the list of header results. Needs redis:// (or memory://). */
export function chord<R>(header: Signature | readonly Signature[], body: Signature<R>): Signature<R> {
  const g = Array.isArray(header) ? group(...(header as readonly Signature[])) : (header as Signature);
  return new Signature<R>(body.sender, {
    task: 'celery.chord',
    kwargs: { header: g.toDict(), body: body.toDict(), kwargs: {} },
    subtaskType: 'chord',
  });
}

/**
 * `task.map(items)`: one `celery.map` message, routed as the inner task; the worker calls the
 * task once per item (`f(item)`). Immutable, as in Celery: in a chain it ignores the previous result.
 */
export function xmap<R>(task: Signature<R>, items: readonly unknown[]): Signature<R[]> {
  // Celery writes these as plain signatures (subtask_type null) of its built-in tasks
  return new Signature<R[]>(task.sender, { task: 'celery.map', kwargs: { task: task.toDict(), it: [...items] }, immutable: true });
}

/** `task.starmap(items)`: one `celery.starmap` message; the worker calls `f(...item)` for each item. */
export function xstarmap<R>(task: Signature<R>, items: readonly (readonly unknown[])[]): Signature<R[]> {
  return new Signature<R[]>(task.sender, { task: 'celery.starmap', kwargs: { task: task.toDict(), it: items.map((i) => [...i]) }, immutable: true });
}

/**
 * `task.chunks(items, n)`: splits the argument tuples into chunks of `n`. Sent on its own it
 * becomes a group of `celery.starmap` messages (a GroupResult of per-chunk lists); inside
 * another canvas it travels as a `celery.chunks` task, which does the same on a worker and
 * returns that group's result tuple, as in Celery.
 */
export function chunks<R>(task: Signature<R>, items: readonly (readonly unknown[])[], n: number): GroupSignature<R[][]> {
  if (!Number.isInteger(n) || n < 1) throw new ConfigurationError(`chunks: n must be a positive integer, got ${n}`);
  return new GroupSignature<R[][]>(task.sender, { task: 'celery.chunks', kwargs: { task: task.toDict(), it: items.map((i) => [...i]), n }, immutable: true });
}
