/**
 * Celery's result tuples: how `children`, a saved GroupResult (`celery-taskset-meta-<gid>`) and
 * chord bookkeeping write results. A task is `[[id, parent | null], null]`, a group
 * `[[group_id, parent | null], [member tuples…]]`. Pure.
 */
import type { Applied } from '../canvas/freeze.js';

export type ResultTuple = [[string, ResultTuple | null], ResultTuple[] | null];

export function resultTuple(a: Applied): ResultTuple {
  const parent = a.parent ? resultTuple(a.parent) : null;
  return a.kind === 'group' ? [[a.id, parent], a.members.map(resultTuple)] : [[a.id, parent], null];
}

/** Reads a result tuple written by Celery or Celeriac; null when the value is not one. */
export function appliedFromTuple(value: unknown): Applied | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [head, nodes] = value as [unknown, unknown];
  // early Celery versions wrote a bare id instead of [id, parent]
  const [id, parentTuple] = Array.isArray(head) ? (head as [unknown, unknown]) : [head, null];
  if (typeof id !== 'string') return null;
  const parent = parentTuple ? appliedFromTuple(parentTuple) : null;
  if (Array.isArray(nodes)) {
    const members = nodes.map(appliedFromTuple);
    if (members.some((m) => m === null)) return null;
    return { kind: 'group', id, members: members as Applied[], ...(parent ? { parent } : {}) };
  }
  return { kind: 'task', id, ...(parent ? { parent } : {}) };
}
