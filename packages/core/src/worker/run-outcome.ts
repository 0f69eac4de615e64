/**
 * What a worker tells its run instrumentation (`TaskRunWrapper`): the task about to be handled,
 * and how its handling ended.
 */
import type { TaskRunInfo, TaskRunOutcome } from '../instrumentation/instrumentation.js';
import type { Outcome } from './run-task.js';
import type { HeldRequest } from './held-request.js';

export function runInfo(h: HeldRequest, hostname: string): TaskRunInfo {
  const d = h.delivery;
  return { request: h.req, hostname, delivery: { queue: d.queue, exchange: d.exchange, routingKey: d.routingKey, redelivered: d.redelivered || h.failedDeliveries > 0 } };
}

/** What instrumentation is told about a run, from the worker's own outcome. */
export function toRunOutcome(o: Outcome, terminated: boolean): TaskRunOutcome {
  if (terminated && o.kind !== 'success') return { status: 'revoked', runtime: o.runtime, error: Object.assign(new Error('terminated'), { name: 'TaskRevokedError' }) };
  switch (o.kind) {
    case 'success': return { status: 'success', runtime: o.runtime };
    case 'failure': return { status: 'failure', runtime: o.runtime, error: o.error };
    case 'retry': return { status: 'retry', runtime: o.runtime, error: o.retry.exc ?? o.retry };
    case 'reject': return { status: 'rejected', runtime: o.runtime, reason: o.reason };
    case 'ignore': return { status: 'ignored', runtime: o.runtime, reason: 'Ignore' };
  }
}
