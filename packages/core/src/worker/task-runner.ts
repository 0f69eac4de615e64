/**
 * Runs one held request in the worker's pool and settles it by its outcome: the result stored
 * (with callbacks, chain and chord), a retry sent, a rejection dead-lettered or requeued, a
 * FAILURE stored; or, when the pool lost the thread or process under the task, FAILURE
 * `WorkerLostError` (or, with `rejectOnWorkerLost`, the message back on its queue, counted
 * against the delivery limit). Acks, results and events all happen here, in the worker's
 * process, whatever the pool.
 */
import type { WorkerContext } from './worker-context.js';
import type { Applied } from '../canvas/apply-signature.js';
import { toError } from '../errors/base-error.js';
import { Reject } from '../errors/task-control.js';
import type { TaskRunInfo, TaskRunOutcome, Wrapped } from '../instrumentation/instrumentation.js';
import { TaskState } from '../protocol/states.js';
import type { TypedEmitter } from '../util/typed-emitter.js';
import { finishFailure, finishRetry, finishSuccess, requestMeta, type FinishContext } from './finish-task.js';
import type { TaskPool, PoolOutcome } from './pool/task-pool.js';
import { replaceTask } from './replace.js';
import { runInfo, toRunOutcome } from './run-outcome.js';
import { runTask, taskTimeLimits, type RunEnv } from './run-task.js';
import type { Settlement } from './settlement.js';
import type { TaskLog } from './task-log.js';
import type { WorkerCanvas } from './worker-canvas.js';
import type { WorkerCounters } from './worker-counters.js';
import type { WorkerEvents } from './worker-events.js';
import type { ResolvedWorkerOptions } from './worker-options.js';
import type { HeldRequest } from './held-request.js';

/** What running needs from the worker: a small context, not the worker. */
export interface TaskRunnerContext {
  app: WorkerContext;
  hostname: () => string;
  options: ResolvedWorkerOptions;
  events: TypedEmitter<WorkerEvents>;
  settlement: Settlement;
  finish: FinishContext;
  canvas: WorkerCanvas;
  log: TaskLog;
  counters: WorkerCounters;
  pool: () => TaskPool;
  /** Requests stopped by revoke(terminate). */
  terminated: WeakSet<HeldRequest>;
  wrapRun: Wrapped<TaskRunInfo, TaskRunOutcome> | null;
}

export class TaskRunner {
  constructor(private readonly ctx: TaskRunnerContext) {}

  async execute(h: HeldRequest): Promise<void> {
    const wrap = this.ctx.wrapRun;
    if (wrap === null) return this.#run(h);
    await wrap(runInfo(h, this.ctx.hostname()), async () => {
      await this.#run(h);
      return h.outcome ?? { status: 'requeued', runtime: 0, error: new Error('the task ended without an outcome') };
    });
  }

  /** Runs the handler: app tasks in the pool, Celery's built-ins (canvas plumbing) on this loop. */
  #start(h: HeldRequest, env: RunEnv): Promise<PoolOutcome> {
    const o = this.ctx.options;
    env.limits = taskTimeLimits(h.req, h.task.options, { hard: o.timeLimit, soft: o.softTimeLimit }); // env is this task's own
    if (this.ctx.app.tasks.get(h.req.name) !== h.task) return runTask(h.task, h.req, env);
    return this.ctx.pool().run(h.task, h.req, env);
  }

  async #run(h: HeldRequest): Promise<void> {
    const { req, delivery, task } = h;
    const { app, settlement, finish, canvas, events, log } = this.ctx;
    const acksLate = task.options.acksLate ?? this.ctx.options.acksLate;
    if (!acksLate) settlement.ack(h);
    h.startedAt = Date.now();
    events.emit('task-started', req);
    const target = { replyTo: req.replyTo, correlationId: req.correlationId };
    try {
      if (task.options.trackStarted) {
        await app.backend.store(requestMeta(finish, req, { status: TaskState.STARTED, result: { pid: process.pid, hostname: this.ctx.hostname() } }), target);
      }
      const children: Applied[] = [];
      const outcome = await this.#start(h, {
        hostname: this.ctx.hostname(),
        abort: h.abort,
        children,
        replace: (sig) => replaceTask(finish.canvas, req, sig),
        // a counted copy stands for a redelivered message: task code still sees `redelivered`
        deliveryInfo: { exchange: delivery.exchange, routingKey: delivery.routingKey, queue: delivery.queue, redelivered: delivery.redelivered || h.failedDeliveries > 0, priority: req.priority },
        updateState: (state, meta) => app.backend.store(requestMeta(finish, req, { status: state, result: meta }), target),
        limits: { hard: null, soft: null },
      });
      if (outcome.kind === 'aborted') {
        // a cold shutdown stopped it: the message goes back (closing the channel does that too)
        h.outcome = { status: 'requeued', runtime: outcome.runtime, error: new Error('cold shutdown') };
        settlement.settleOnce(h, () => h.delivery.reject(true));
        return;
      }
      if (outcome.kind === 'unencodable') {
        h.outcome = { status: 'failure', runtime: outcome.runtime, error: outcome.error };
        await settlement.recordError(h, outcome.error);
        return;
      }
      if (outcome.kind === 'lost') return await this.#lost(h, outcome.error, outcome.runtime, acksLate);
      h.outcome = toRunOutcome(outcome, this.ctx.terminated.has(h));
      if (this.ctx.terminated.has(h) && outcome.kind !== 'success') {
        events.emit('task-revoked', req, { expired: false, terminated: true, signum: 15 });
        const err = Object.assign(new Error('terminated'), { excType: 'TaskRevokedError', excModule: 'celery.exceptions' });
        await settlement.record(h, () => finishFailure(finish, req, err, TaskState.REVOKED));
        return;
      }
      switch (outcome.kind) {
        case 'success': {
          // with no backend (`backend: null`) there is nothing to store: don't build the document
          const store = !(req.ignoreResult || task.options.ignoreResult) && app.backend.kind !== 'disabled';
          const how = await settlement.record(h, () => finishSuccess(finish, req, outcome.value, store, children));
          if (how !== 'recorded') return;
          events.emit('task-succeeded', req, outcome.value, outcome.runtime);
          log.succeeded(req, outcome.value, outcome.runtime);
          return;
        }
        case 'retry':
          log.retry(req, outcome.retry);
          if (await settlement.record(h, () => finishRetry(finish, req, outcome.retry, delivery.queue)) === 'recorded') {
            events.emit('task-retried', req, outcome.retry.exc ?? outcome.retry);
          }
          return;
        case 'ignore':
          settlement.ack(h);
          return;
        case 'reject':
          events.emit('task-rejected', req, outcome.requeue);
          // a requeue comes back redelivered, so it counts against the delivery limit
          if (outcome.requeue) settlement.settleOnce(h, () => delivery.reject(true));
          else {
            canvas.refused({ req, id: req.id, replyTo: req.replyTo, correlationId: req.correlationId }, new Reject(outcome.reason), delivery.queue);
            await settlement.deadLetter(delivery, `Reject: ${outcome.reason}`, { taskId: req.id, taskName: req.name }, h);
          }
          return;
        case 'failure':
          log.failed(req, outcome.error);
          events.emit('task-failed', req, outcome.error, { id: req.id, name: req.name, traceback: outcome.error.stack ?? null });
          await settlement.record(h, () => finishFailure(finish, req, outcome.error), outcome.error);
          return;
      }
    } catch (err) {
      // storing STARTED or a custom state failed before there was an outcome
      await settlement.recordError(h, toError(err));
    }
  }

  /**
   * The thread or process died under the task. Celery stores FAILURE WorkerLostError; with
   * `rejectOnWorkerLost` (late ack only) the message goes back to its queue instead, as a
   * counted copy, so a task that kills its child every time ends at the delivery limit.
   */
  async #lost(h: HeldRequest, error: Error, runtime: number, acksLate: boolean): Promise<void> {
    const { req } = h;
    this.ctx.counters.increment('worker_lost');
    const requeue = acksLate && (h.task.options.rejectOnWorkerLost ?? this.ctx.options.rejectOnWorkerLost) && !h.acknowledged && !h.delivery.settled;
    if (requeue) {
      h.outcome = { status: 'requeued', runtime, error };
      this.ctx.counters.increment('requeued');
      await this.ctx.settlement.returnToQueue(h.delivery, h.failedDeliveries + 1, `${error.name}: ${error.message}`);
      return;
    }
    h.outcome = { status: 'failure', runtime, error };
    this.ctx.log.failed(req, error);
    this.ctx.events.emit('task-failed', req, error, { id: req.id, name: req.name, traceback: null });
    await this.ctx.settlement.record(h, () => finishFailure(this.ctx.finish, req, error), error);
  }
}
