/**
 * The worker: consumes its queues with a prefetch window, turns each delivery into a task
 * request (bad input goes to `<queue>.dlq` with the reason, never silently dropped), holds
 * ETA tasks, runs up to `concurrency` tasks at a time, stores outcomes and settles every
 * delivery exactly once. Stop is graceful: stop consuming, requeue what did not start, let
 * running tasks finish within the deadline.
 */
import type { Delivery, Subscription } from '../broker/broker.js';
import type { CeleriacApp } from '../app.js';
import { toError } from '../errors/base-error.js';
import { Reject } from '../errors/task-control.js';
import { InvalidTaskMessageError, NotRegisteredError } from '../errors/task-errors.js';
import { undecodableFields } from '../protocol/field-table/field-value.js';
import { parseTaskMessage } from '../protocol/parse-task-message.js';
import type { Applied } from '../canvas/apply-signature.js';
import { buildResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import { displayName, type TaskRequest } from '../protocol/task-message.js';
import type { RegisteredTask } from '../registry/task.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { deadLetter } from './dead-letter.js';
import { EtaScheduler } from './eta-scheduler.js';
import { finishFailure, finishRetry, finishSuccess, requestMeta, type FinishContext } from './finish-task.js';
import { replaceTask } from './replace.js';
import { WorkerCanvas } from './worker-canvas.js';
import { RevokedSet } from './revoked-set.js';
import { storeRevoked } from './store-revoked.js';
import { runTask } from './run-task.js';
import type { WorkerEvents } from './worker-events.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker-options.js';
import { WorkerServices } from './worker-services.js';
import { parseRateLimit, TokenBucket, type RateLimit } from './rate-limit.js';
import { composeRun, type TaskRunInfo, type TaskRunOutcome, type Wrapped } from '../instrumentation/instrumentation.js';
import { runInfo, toRunOutcome } from './run-outcome.js';
import { TaskLog } from './task-log.js';
import { installShutdownSignals } from './shutdown-signals.js';

/** A request the worker holds: parsed message, its delivery, and run-time state. */
export interface HeldRequest {
  req: TaskRequest;
  delivery: Delivery;
  task: RegisteredTask;
  receivedAt: number;
  startedAt: number | null;
  abort: AbortController;
  acknowledged: boolean;
  /** How the run ended (for instrumentation); null until it did. */
  outcome?: TaskRunOutcome | null;
}

export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Worker {
  readonly app: CeleriacApp;
  readonly options: ResolvedWorkerOptions;
  readonly events = new TypedEmitter<WorkerEvents>();
  readonly revoked = new RevokedSet();
  readonly active = new Map<string, HeldRequest>();
  readonly reserved: HeldRequest[] = [];
  readonly scheduled: EtaScheduler;
  readonly startedAt = Date.now();
  readonly totals = new Map<string, number>();
  processed = 0;
  #state: WorkerState = 'idle';
  #subscription: Subscription | null = null;
  #services: WorkerServices | null = null;
  #idle: (() => void) | null = null;
  readonly #finish: FinishContext;
  readonly #canvas: WorkerCanvas;
  /** Requests aborted by revoke(terminate). Checked instead of `abort.signal`, which Node creates (costly) on first read. */
  readonly #terminated = new WeakSet<HeldRequest>();
  #removeSignals: (() => void) | null = null;
  #lastDeliveryAt: number | null = null;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #rateOverrides = new Map<string, number | null>();
  #rateTimer: NodeJS.Timeout | null = null;
  readonly #wrapRun: Wrapped<TaskRunInfo, TaskRunOutcome> | null;
  readonly #log: TaskLog;

  constructor(app: CeleriacApp, options: WorkerOptions = {}) {
    this.app = app;
    this.options = resolveWorkerOptions(options, app.options.defaultQueue);
    this.scheduled = new EtaScheduler((h) => this.#enqueue(h), (held) => void this.#syncPrefetch(held));
    this.#canvas = new WorkerCanvas(app, () => this.hostname, (err) => this.events.emit('error', err));
    this.#finish = this.#canvas.finish;
    this.events.on('error', (err) => app.logger.error(`worker: ${err.message}`));
    this.#wrapRun = composeRun(app.options.instrumentation ?? [], (err, name) => app.logger.error(`instrumentation ${name}: ${toError(err).message}`));
    this.#log = new TaskLog(app.logger);
  }

  get state(): WorkerState {
    return this.#state;
  }

  get hostname(): string {
    return this.options.hostname;
  }

  get services(): WorkerServices | null {
    return this.#services;
  }

  get subscription(): Subscription | null {
    return this.#subscription;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`worker cannot start from state ${this.#state}`);
    this.#state = 'starting';
    await this.app.broker.connect();
    for (const q of this.options.queues) await this.app.topology.ensureTaskQueue(q);
    this.#subscription = await this.app.broker.consume(this.options.queues, (d) => this.#onDelivery(d), { prefetch: this.options.prefetch });
    this.#services = new WorkerServices(this);
    await this.#services.start();
    this.#state = 'running';
    if (this.options.handleSignals) {
      this.#removeSignals = installShutdownSignals(this.app.logger, {
        warm: () => this.stop().then(() => this.app.close()),
        cold: async () => void (await this.#subscription?.close()),
      });
    }
    this.events.emit('worker-online');
  }

  /**
   * For health endpoints: is the broker connected, is this worker consuming, when did the last
   * delivery arrive, how much is running and waiting.
   */
  liveness(): { state: WorkerState; connected: boolean; consuming: boolean; lastDeliveryAt: number | null; active: number; reserved: number; scheduled: number } {
    const broker = this.app.broker as { liveness?: () => { connected: boolean; consumers: number; lastDeliveryAt: number | null } };
    const b = broker.liveness?.() ?? { connected: this.app.broker.state === 'ready', consumers: this.#subscription ? 1 : 0, lastDeliveryAt: this.#lastDeliveryAt };
    return {
      state: this.#state,
      connected: b.connected,
      consuming: this.#state === 'running' && this.#subscription !== null && b.consumers > 0,
      lastDeliveryAt: this.#lastDeliveryAt,
      active: this.active.size,
      reserved: this.reserved.length,
      scheduled: this.scheduled.size,
    };
  }

  /** Starts consuming another queue (remote control `add_consumer`). */
  async addQueue(queue: string): Promise<void> {
    await this.app.topology.ensureTaskQueue(queue);
    await this.#subscription?.addQueue(queue);
    if (!this.options.queues.includes(queue)) this.options.queues.push(queue);
  }

  async removeQueue(queue: string): Promise<void> {
    await this.#subscription?.removeQueue(queue);
    const i = this.options.queues.indexOf(queue);
    if (i >= 0) this.options.queues.splice(i, 1);
  }

  /**
   * Marks ids revoked and stores REVOKED for them at once (as Celery 5.6.2); with `terminate`,
   * running ones are aborted too.
   */
  revoke(ids: readonly string[], terminate = false): string[] {
    const terminated: string[] = [];
    for (const id of ids) {
      this.revoked.add(id);
      const running = this.active.get(id);
      if (terminate && running) {
        this.#terminated.add(running);
        running.abort.abort(Object.assign(new Error('terminated'), { name: 'TaskRevokedError' }));
        terminated.push(id);
      }
    }
    void storeRevoked(this.app.backend, this.app.logger, ids, (id) => {
      const h = this.active.get(id) ?? this.reserved.find((r) => r.req.id === id) ?? this.scheduled.list().find((r) => r.req.id === id);
      return { replyTo: h?.req.replyTo ?? null, correlationId: h?.req.correlationId ?? id };
    });
    return terminated;
  }

  /**
   * Warm shutdown: stop consuming, put back what did not start, wait for running tasks up
   * to `shutdownTimeout` (then abort them; unacknowledged ones return to the queue).
   */
  async stop(options: { timeout?: number } = {}): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    await this.#subscription?.cancel().catch((err: unknown) => this.events.emit('error', toError(err)));
    for (const h of this.scheduled.drain()) this.#requeue(h);
    for (const h of this.reserved.splice(0)) this.#requeue(h);
    if (this.#rateTimer) clearTimeout(this.#rateTimer);
    if (this.active.size > 0) {
      const idle = new Promise<void>((resolve) => (this.#idle = resolve));
      const timeout = options.timeout ?? this.options.shutdownTimeout;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([idle, new Promise<void>((r) => (timer = setTimeout(r, timeout)))]);
      clearTimeout(timer);
      for (const h of this.active.values()) h.abort.abort(new Error('worker shutdown deadline reached'));
    }
    this.events.emit('worker-offline');
    await this.#services?.stop();
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = null;
    this.#state = 'stopped';
    this.#removeSignals?.();
    this.#removeSignals = null;
  }

  // ---- receiving ------------------------------------------------------------------------

  #onDelivery(delivery: Delivery): void {
    this.#lastDeliveryAt = Date.now();
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      delivery.reject(true);
      return;
    }
    let req: TaskRequest;
    try {
      const headers = delivery.properties.headers ?? {};
      const unreadable = undecodableFields(headers);
      if (unreadable) throw new InvalidTaskMessageError(`the AMQP headers could not be read: ${unreadable.reason}`);
      const body = this.app.codecs.decode(delivery.properties.contentType, delivery.body, headers.compression);
      req = parseTaskMessage({
        headers, body,
        correlationId: delivery.properties.correlationId, replyTo: delivery.properties.replyTo, priority: delivery.properties.priority,
      });
    } catch (err) {
      const e = toError(err);
      const id = typeof delivery.properties.headers?.id === 'string' ? delivery.properties.headers.id : null;
      const name = typeof delivery.properties.headers?.task === 'string' ? delivery.properties.headers.task : null;
      this.#reject(delivery, `${e.name}: ${e.message}`, id, name);
      this.#canvas.refused({ id, replyTo: delivery.properties.replyTo ?? null, correlationId: delivery.properties.correlationId ?? null }, e, delivery.queue);
      return;
    }
    const task = this.#canvas.taskFor(req, delivery.routingKey);
    if (!task) {
      const err = new NotRegisteredError(req.name);
      this.events.emit('task-failed', req, err, { id: req.id, name: req.name, traceback: null });
      void this.app.backend.store(buildResultMeta({
        taskId: req.id, status: TaskState.FAILURE,
        result: { exc_type: 'NotRegistered', exc_message: [req.name], exc_module: 'celery.exceptions' }, traceback: null,
      }), { replyTo: req.replyTo, correlationId: req.correlationId }).catch((e: unknown) => this.events.emit('error', toError(e)));
      this.#reject(delivery, `NotRegistered: ${err.message}`, req.id, req.name);
      return;
    }
    const held: HeldRequest = { req, delivery, task, receivedAt: Date.now(), startedAt: null, abort: new AbortController(), acknowledged: false };
    this.events.emit('task-received', req);
    this.#log.received(req);
    if (this.#skipIfRevokedOrExpired(held)) return;
    if (req.eta && req.eta.getTime() > Date.now()) {
      const waitS = (req.eta.getTime() - Date.now()) / 1000;
      if (waitS > this.options.maxHeldEtaSeconds && this.#services!.parksLongEtas) void this.#services!.delay(held, waitS);
      else this.scheduled.hold(held);
      return;
    }
    this.#enqueue(held);
  }

  #skipIfRevokedOrExpired(h: HeldRequest): boolean {
    const expired = h.req.expires !== null && h.req.expires.getTime() <= Date.now();
    if (!expired && !this.revoked.has(h.req.id)) return false;
    this.events.emit('task-revoked', h.req, { expired, terminated: false, signum: null });
    const err = Object.assign(new Error(expired ? 'expired' : 'revoked'), { excType: 'TaskRevokedError', excModule: 'celery.exceptions' });
    void this.#settle(h, () => finishFailure(this.#finish, h.req, err, TaskState.REVOKED));
    return true;
  }

  #enqueue(h: HeldRequest): void {
    this.reserved.push(h);
    this.#pump();
  }

  /**
   * Changes how many tasks run at once (remote control `pool_grow` / `pool_shrink`); the
   * prefetch window follows, keeping the prefetch multiplier. At least 1.
   */
  setConcurrency(concurrency: number): void {
    const next = Math.max(1, Math.floor(concurrency));
    const multiplier = this.options.concurrency > 0 ? this.options.prefetch / this.options.concurrency : 0;
    this.options.concurrency = next;
    this.options.prefetch = next * multiplier;
    void this.#syncPrefetch(this.scheduled.size);
    this.#pump();
  }

  /** Sets (or with null, removes) a task's rate limit on this worker (remote control `rate_limit`). */
  setRateLimit(taskName: string, limit: RateLimit): void {
    const perSecond = parseRateLimit(limit);
    this.#rateOverrides.set(taskName, perSecond);
    this.#buckets.delete(taskName);
    this.#pump();
  }

  /** Milliseconds before a task of this name may start (0 = now); takes the token when it returns 0. */
  #rateWait(h: HeldRequest, now: number): number {
    const name = h.req.name;
    const perSecond = this.#rateOverrides.has(name) ? this.#rateOverrides.get(name)! : parseRateLimit(h.task.options.rateLimit);
    if (perSecond === null) return 0;
    let bucket = this.#buckets.get(name);
    if (!bucket || bucket.perSecond !== perSecond) this.#buckets.set(name, (bucket = new TokenBucket(perSecond, now)));
    return bucket.take(now);
  }

  /** The next reserved request allowed to start now (rate limits hold back only their own task). */
  #nextRunnable(): HeldRequest | undefined {
    const now = Date.now();
    let wait = Infinity;
    for (let i = 0; i < this.reserved.length; i++) {
      const ms = this.#rateWait(this.reserved[i]!, now);
      if (ms === 0) return this.reserved.splice(i, 1)[0];
      wait = Math.min(wait, ms);
    }
    if (wait !== Infinity && !this.#rateTimer) {
      this.#rateTimer = setTimeout(() => {
        this.#rateTimer = null;
        this.#pump();
      }, wait);
    }
    return undefined;
  }

  #pump(): void {
    while (this.active.size < this.options.concurrency && this.reserved.length > 0 && this.#state !== 'stopping') {
      const h = this.#buckets.size === 0 && this.#rateOverrides.size === 0 && this.reserved[0]!.task.options.rateLimit === undefined
        ? this.reserved.shift()! // the common case: no rate limits anywhere
        : this.#nextRunnable();
      if (!h) return;
      if (this.#skipIfRevokedOrExpired(h)) continue;
      this.active.set(h.req.id, h);
      void this.#execute(h).finally(() => {
        this.active.delete(h.req.id);
        this.processed++;
        this.totals.set(h.req.name, (this.totals.get(h.req.name) ?? 0) + 1);
        if (this.active.size === 0 && this.#idle) this.#idle();
        this.#pump();
      });
    }
  }

  // ---- running --------------------------------------------------------------------------

  async #execute(h: HeldRequest): Promise<void> {
    if (this.#wrapRun === null) return this.#run(h);
    await this.#wrapRun(runInfo(h, this.hostname), async () => {
      await this.#run(h);
      return h.outcome ?? { status: 'requeued', runtime: 0, error: new Error('the task ended without an outcome') };
    });
  }

  async #run(h: HeldRequest): Promise<void> {
    const { req, delivery, task } = h;
    const acksLate = task.options.acksLate ?? this.options.acksLate;
    if (!acksLate) this.#ack(h);
    h.startedAt = Date.now();
    this.events.emit('task-started', req);
    const target = { replyTo: req.replyTo, correlationId: req.correlationId };
    try {
      if (task.options.trackStarted) {
        await this.app.backend.store(requestMeta(this.#finish, req, { status: TaskState.STARTED, result: { pid: process.pid, hostname: this.hostname } }), target);
      }
      const children: Applied[] = [];
      const outcome = await runTask(task, req, {
        hostname: this.hostname,
        abort: h.abort,
        children,
        replace: (sig) => replaceTask(this.#finish.canvas, req, sig),
        deliveryInfo: { exchange: delivery.exchange, routingKey: delivery.routingKey, queue: delivery.queue, redelivered: delivery.redelivered, priority: req.priority },
        updateState: (state, meta) => this.app.backend.store(requestMeta(this.#finish, req, { status: state, result: meta }), target),
      });
      h.outcome = toRunOutcome(outcome, this.#terminated.has(h));
      if (this.#terminated.has(h) && outcome.kind !== 'success') {
        this.events.emit('task-revoked', req, { expired: false, terminated: true, signum: 15 });
        const err = Object.assign(new Error('terminated'), { excType: 'TaskRevokedError', excModule: 'celery.exceptions' });
        await this.#settle(h, () => finishFailure(this.#finish, req, err, TaskState.REVOKED));
        return;
      }
      switch (outcome.kind) {
        case 'success': {
          const store = !(req.ignoreResult || task.options.ignoreResult);
          await this.#settle(h, () => finishSuccess(this.#finish, req, outcome.value, store, children));
          this.events.emit('task-succeeded', req, outcome.value, outcome.runtime);
          if (h.outcome?.status === 'success') this.#log.succeeded(req, outcome.value, outcome.runtime);
          return;
        }
        case 'retry':
          this.#log.retry(req, outcome.retry);
          await this.#settle(h, () => finishRetry(this.#finish, req, outcome.retry, delivery.queue));
          this.events.emit('task-retried', req, outcome.retry.exc ?? outcome.retry);
          return;
        case 'ignore':
          this.#ack(h);
          return;
        case 'reject':
          this.events.emit('task-rejected', req, outcome.requeue);
          if (outcome.requeue) this.#settleOnce(h, () => delivery.reject(true));
          else {
            this.#reject(delivery, `Reject: ${outcome.reason}`, req.id, req.name, h);
            this.#canvas.refused({ req, id: req.id, replyTo: req.replyTo, correlationId: req.correlationId }, new Reject(outcome.reason), delivery.queue);
          }
          return;
        case 'failure':
          this.#log.failed(req, outcome.error);
          this.events.emit('task-failed', req, outcome.error, { id: req.id, name: req.name, traceback: outcome.error.stack ?? null });
          await this.#settle(h, () => finishFailure(this.#finish, req, outcome.error));
          return;
      }
    } catch (err) {
      // storing or publishing the outcome failed (backend or broker down): the message goes
      // back to the queue (acks late) so the task is not lost; it may run again
      const e = toError(err);
      this.app.logger.error(`task ${displayName(req)}[${req.id}]: could not record the outcome: ${e.message}`);
      h.outcome = { status: 'requeued', runtime: h.outcome?.runtime ?? 0, error: e };
      this.#settleOnce(h, () => delivery.reject(true));
    }
  }

  /** Runs `work` then acks; if `work` throws the delivery is requeued instead. */
  async #settle(h: HeldRequest, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.#ack(h);
    } catch (err) {
      h.outcome = { status: 'requeued', runtime: h.outcome?.runtime ?? 0, error: toError(err) };
      this.app.logger.error(`task ${displayName(h.req)}[${h.req.id}]: ${toError(err).message}; message requeued`);
      this.#settleOnce(h, () => h.delivery.reject(true));
    }
  }

  #ack(h: HeldRequest): void {
    this.#settleOnce(h, () => h.delivery.ack());
    h.acknowledged = true;
  }

  #settleOnce(h: HeldRequest, fn: () => void): void {
    if (h.acknowledged || h.delivery.settled) return;
    try {
      fn();
    } catch (err) {
      this.events.emit('error', toError(err));
    }
  }

  #requeue(h: HeldRequest): void {
    this.#settleOnce(h, () => h.delivery.reject(true));
  }

  /** Bad input: log it, copy it to `<queue>.dlq` with the reason, then ack the original. */
  #reject(delivery: Delivery, reason: string, taskId: string | null, taskName: string | null, h?: HeldRequest): void {
    this.app.logger.error(`rejected message from ${delivery.queue}${taskId ? ` (task ${taskName ?? '?'}[${taskId}])` : ''}: ${reason}; moved to ${this.app.topology.deadLetterQueueName(delivery.queue)}`);
    void deadLetter(this.app.broker, this.app.topology, delivery, reason).then(
      () => {
        if (h) this.#ack(h);
        else if (!delivery.settled) delivery.ack();
        this.events.emit('dead-lettered', { queue: delivery.queue, reason, taskId, taskName });
      },
      (err: unknown) => {
        this.app.logger.error(`could not dead-letter a message from ${delivery.queue}: ${toError(err).message}; it stays on the queue`);
        setTimeout(() => {
          if (!delivery.settled) delivery.reject(true);
        }, 1000);
      },
    );
  }

  async #syncPrefetch(held: number): Promise<void> {
    // Celery raises the prefetch window by one per held ETA task so they don't starve the worker
    await this.#subscription?.setPrefetch(this.options.prefetch === 0 ? 0 : this.options.prefetch + held).catch(() => undefined);
  }
}

