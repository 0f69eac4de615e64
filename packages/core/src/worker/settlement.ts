/**
 * How a delivery ends. Every path ends: the outcome is recorded and the message acked; or the
 * outcome cannot be recorded as it is (a result that cannot be encoded, a malformed embed) and
 * FAILURE is stored instead, as Celery does; or, when even that fails, a bare FAILURE is stored
 * and the message goes to `<queue>.dlq`. Only a passing failure (broker or backend down) puts
 * a message back on its queue, after a growing delay and counted against the delivery limit
 * (see `delivery-count.ts`); past the limit it is dead-lettered with FAILURE `WorkerLostError`.
 */
import type { Broker, Delivery } from '../broker/broker.js';
import type { ResultBackend } from '../backends/result-backend.js';
import { toError } from '../errors/base-error.js';
import type { Topology } from '../producer/topology.js';
import { buildResultMeta, errorToExcInfo } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import { displayName, type TaskRequest } from '../protocol/task-message.js';
import { backoffDelay, sleep } from '../util/backoff.js';
import { logText } from '../util/log-text.js';
import type { LogLimiter } from '../util/log-limiter.js';
import type { TypedEmitter } from '../util/typed-emitter.js';
import { countedHeaders, LAST_ERROR_HEADER } from './delivery-count.js';
import { deadLetter } from './dead-letter.js';
import { finishFailure, tracebackOf, type FinishContext } from './finish-task.js';
import { isTransientError } from './transient-error.js';
import type { WorkerCounters } from './worker-counters.js';
import type { WorkerEvents } from './worker-events.js';
import type { HeldRequest } from './held-request.js';

export interface SettlementOptions {
  deliveryLimit: number;
  requeueBaseDelayMs: number;
  requeueMaxDelayMs: number;
}

/** What settling needs from the worker: a small context, not the worker. */
export interface SettlementContext {
  broker: Broker;
  topology: Topology;
  backend: ResultBackend;
  finish: FinishContext;
  counters: WorkerCounters;
  log: LogLimiter;
  events: TypedEmitter<WorkerEvents>;
  options: SettlementOptions;
  /** Aborted when the worker stops: cuts a requeue delay short. */
  stopping: AbortSignal;
  /** Parses a raw delivery into a request, or throws. */
  parse(delivery: Delivery): TaskRequest;
}

/** How `record()` ended. */
export type Recorded = 'recorded' | 'failed' | 'requeued' | 'dead-lettered' | 'lost';

/** Longest wait for a result backend in a last-resort store (a redis backend waits for ever when Redis is down). */
const LAST_RESORT_TIMEOUT_MS = 10_000;

export const label = (name: unknown, id: unknown): string => `${logText(String(name ?? '?'), 200)}[${logText(String(id ?? '?'), 200)}]`;

/** An error as Python Celery would store it, with only text in it, so storing it cannot fail again. */
export function plainError(err: Error): Error {
  const info = errorToExcInfo(err);
  const text = typeof info.exc_message[0] === 'string' ? info.exc_message[0] : err.message;
  return Object.assign(new Error(text.length > 2000 ? `${text.slice(0, 2000)}…` : text), {
    name: err.name, stack: tracebackOf(err).slice(0, 8000), excType: info.exc_type, excModule: info.exc_module,
  });
}

/** billiard's WorkerLostError, which a Python worker stores when the process running a task dies. */
export function workerLostError(message: string): Error {
  return Object.assign(new Error(message), { name: 'WorkerLostError', excType: 'WorkerLostError', excModule: 'billiard.exceptions' });
}

export class Settlement {
  constructor(private readonly ctx: SettlementContext) {}

  ack(h: HeldRequest): void {
    this.settleOnce(h, () => h.delivery.ack());
    h.acknowledged = true;
  }

  settleOnce(h: HeldRequest, fn: () => void): void {
    if (h.acknowledged || h.delivery.settled) return;
    try {
      fn();
    } catch (err) {
      this.ctx.events.emit('error', toError(err));
    }
  }

  /**
   * Runs `work` (store the outcome, send callbacks...) and acks. When it fails, see
   * {@link recordError}; `failWith` is the error to store as FAILURE then (default: the error
   * that stopped `work`).
   */
  async record(h: HeldRequest, work: () => Promise<void>, failWith?: Error): Promise<Recorded> {
    try {
      await work();
      this.ack(h);
      return 'recorded';
    } catch (err) {
      return this.recordError(h, toError(err), failWith);
    }
  }

  /**
   * The outcome of `h` could not be recorded because of `err`. Passing failure: back on the
   * queue later. Otherwise FAILURE (with `failWith` or `err`, made storable) is stored with the
   * usual chain/chord/errback handling; if even that fails, a bare FAILURE is stored and the
   * message is dead-lettered.
   */
  async recordError(h: HeldRequest, err: Error, failWith?: Error): Promise<Recorded> {
    const { req } = h;
    if (isTransientError(err)) return this.requeueLater(h, err);
    this.ctx.counters.increment('record_failed');
    const failure = plainError(failWith ?? err);
    h.outcome = { status: 'failure', runtime: h.outcome?.runtime ?? 0, error: failure };
    this.ctx.log.log('error', 'record-failed', `task ${label(displayName(req), req.id)}: could not record its outcome (${logText(`${err.name}: ${err.message}`, 300)}); storing FAILURE ${logText(failure.name)} instead`);
    if (!failWith) this.ctx.events.emit('task-failed', req, failure, { id: req.id, name: req.name, traceback: failure.stack ?? null });
    try {
      await finishFailure(this.ctx.finish, req, failure);
      this.ack(h);
      return 'failed';
    } catch (second) {
      const e = toError(second);
      if (isTransientError(e)) return this.requeueLater(h, e);
      await this.storeFailure(req.id, { replyTo: req.replyTo, correlationId: req.correlationId }, failure);
      await this.deadLetter(h.delivery, `could not record the outcome: ${e.name}: ${e.message}`, { taskId: req.id, taskName: req.name }, h);
      return 'dead-lettered';
    }
  }

  /**
   * A passing failure: wait (longer after each failed delivery of this message), then put a copy
   * back on the queue that counts this delivery and says why, and ack the original.
   */
  async requeueLater(h: HeldRequest, err: Error): Promise<Recorded> {
    const { req, delivery } = h;
    h.outcome = { status: 'requeued', runtime: h.outcome?.runtime ?? 0, error: err };
    const what = logText(`${err.name}: ${err.message}`, 300);
    if (h.acknowledged || delivery.settled) {
      this.ctx.log.log('error', 'outcome-lost', `task ${label(displayName(req), req.id)}: could not record its outcome (${what}) and its message was already acknowledged`);
      return 'lost';
    }
    const failed = h.failedDeliveries + 1;
    const { requeueBaseDelayMs: baseMs, requeueMaxDelayMs: maxMs, deliveryLimit } = this.ctx.options;
    const delay = backoffDelay(failed - 1, { baseMs, maxMs });
    this.ctx.counters.increment('requeued');
    this.ctx.log.log('warn', 'requeued', `task ${label(displayName(req), req.id)}: could not record its outcome (${what}); back on the queue in ${delay} ms (failed delivery ${failed} of at most ${deliveryLimit})`);
    await sleep(delay, this.ctx.stopping);
    // if the channel died meanwhile, RabbitMQ already put it back and its redelivery is counted
    if (!delivery.settled) await this.returnToQueue(delivery, failed, `${err.name}: ${err.message}`);
    return 'requeued';
  }

  /**
   * Puts a copy of the message back on its queue recording `failed` deliveries without an
   * outcome, then acks the original. If the copy cannot be published the original is requeued
   * (RabbitMQ then marks it redelivered, and the next worker counts it).
   */
  async returnToQueue(delivery: Delivery, failed: number, lastError?: string): Promise<void> {
    try {
      const headers = countedHeaders(delivery.properties.headers, failed, lastError);
      await this.ctx.broker.publish({ exchange: '', routingKey: delivery.queue }, { body: delivery.body, properties: { ...delivery.properties, headers } });
      if (!delivery.settled) delivery.ack();
    } catch (err) {
      const e = toError(err);
      if (!isTransientError(e)) {
        await this.deadLetter(delivery, `could not put the message back on its queue: ${e.name}: ${e.message}`, headerInfo(delivery));
        return;
      }
      this.ctx.log.log('warn', 'requeue-failed', `could not put a message back on ${logText(delivery.queue)} (${logText(e.message)}); requeueing it`);
      if (!delivery.settled) delivery.reject(true);
    }
  }

  /** Returns a message that never started to its queue without counting a failed delivery (a graceful stop). */
  async putBack(delivery: Delivery, failed: number): Promise<void> {
    if (delivery.settled) return;
    if (this.ctx.broker.state !== 'ready') delivery.reject(true);
    else await this.returnToQueue(delivery, failed);
  }

  /**
   * The message was delivered `failed` times without an outcome, the limit: FAILURE
   * `WorkerLostError` is stored (with the chain, chord and errbacks told, when the body can be
   * read), then the message goes to `<queue>.dlq`.
   */
  async limitReached(delivery: Delivery, failed: number): Promise<void> {
    this.ctx.counters.increment('delivery_limit');
    const last = delivery.properties.headers?.[LAST_ERROR_HEADER];
    const reason = `delivery limit reached: delivered ${failed} times without an outcome (limit ${this.ctx.options.deliveryLimit})`
      + (typeof last === 'string' ? `; last error: ${last}` : '');
    const error = workerLostError(`Worker exited prematurely: ${reason}`);
    const info = headerInfo(delivery);
    let req: TaskRequest | null = null;
    try {
      req = this.ctx.parse(delivery);
    } catch {
      // unreadable body: only the id from the headers can be failed
    }
    if (req) {
      this.ctx.events.emit('task-failed', req, error, { id: req.id, name: req.name, traceback: null });
      await withTimeout(finishFailure(this.ctx.finish, req, error), LAST_RESORT_TIMEOUT_MS).catch(async (err: unknown) => {
        this.ctx.log.log('error', 'store-failed', `task ${label(displayName(req!), req!.id)}: FAILURE not fully recorded: ${logText(toError(err).message)}`);
        await this.storeFailure(req!.id, { replyTo: req!.replyTo, correlationId: req!.correlationId }, error);
      });
    } else if (info.taskId) {
      const replyTo = delivery.properties.replyTo || null;
      await this.storeFailure(info.taskId, { replyTo, correlationId: delivery.properties.correlationId || info.taskId }, error);
    }
    await this.deadLetter(delivery, reason, info);
  }

  /** Stores a FAILURE for one task id and nothing else; logs when even that is impossible. */
  async storeFailure(taskId: string, target: { replyTo: string | null; correlationId: string }, error: Error): Promise<void> {
    const meta = buildResultMeta({ taskId, status: TaskState.FAILURE, result: errorToExcInfo(plainError(error)), traceback: error.stack ?? null });
    await withTimeout(this.ctx.backend.store(meta, target), LAST_RESORT_TIMEOUT_MS).catch((err: unknown) =>
      this.ctx.log.log('error', 'store-failed', `task ${label(null, taskId)}: could not store FAILURE: ${logText(toError(err).message)}`));
  }

  /**
   * Moves the message to `<queue>.dlq` with the reason, then acks it. If the broker cannot take
   * the copy, the message is requeued after a delay (and counted as redelivered when it comes back).
   */
  async deadLetter(delivery: Delivery, reason: string, info: { taskId: string | null; taskName: string | null }, h?: HeldRequest): Promise<void> {
    const queue = logText(delivery.queue);
    const task = info.taskId ? ` (task ${label(info.taskName, info.taskId)})` : '';
    this.ctx.log.log('error', 'dead-lettered', `rejected message from ${queue}${task}: ${logText(reason, 500)}; moved to ${logText(this.ctx.topology.deadLetterQueueName(delivery.queue))}`);
    try {
      await deadLetter(this.ctx.broker, this.ctx.topology, delivery, reason);
    } catch (err) {
      this.ctx.log.log('error', 'dead-letter-failed', `could not dead-letter a message from ${queue}: ${logText(toError(err).message)}; it goes back on the queue`);
      this.ctx.counters.increment('requeued');
      await sleep(this.ctx.options.requeueBaseDelayMs, this.ctx.stopping);
      if (!delivery.settled) delivery.reject(true);
      return;
    }
    if (h) this.ack(h);
    else if (!delivery.settled) delivery.ack();
    this.ctx.counters.increment('dead_lettered');
    this.ctx.events.emit('dead-lettered', { queue: delivery.queue, reason, taskId: info.taskId, taskName: info.taskName });
  }
}

/** The task id and name from the headers, when they are strings. */
export function headerInfo(delivery: Delivery): { taskId: string | null; taskName: string | null } {
  const h = delivery.properties.headers ?? {};
  return { taskId: typeof h.id === 'string' && h.id !== '' ? h.id : null, taskName: typeof h.task === 'string' ? h.task : null };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
