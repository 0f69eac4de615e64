/**
 * The worker: consumes its queues with a prefetch window (bounded by count and bytes), counts
 * redeliveries against the delivery limit, turns each delivery into a task request (bad input
 * goes to `<queue>.dlq` with the reason, never silently dropped), holds ETA tasks, runs up to
 * `concurrency` tasks at a time, and settles every delivery exactly once through `Settlement`.
 * Stop is graceful: stop consuming, put back what did not start (uncounted), let running tasks
 * finish within the deadline.
 */
import type { Delivery, Subscription } from '../broker/broker.js';
import type { CeleriacApp } from '../app.js';
import { toError } from '../errors/base-error.js';
import { logText } from '../util/log-text.js';
import { Reject } from '../errors/task-control.js';
import { NotRegisteredError } from '../errors/task-errors.js';
import { LogLimiter } from '../util/log-limiter.js';
import type { Applied } from '../canvas/apply-signature.js';
import { buildResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { RegisteredTask } from '../registry/task.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { countFrom, DELIVERY_COUNT_HEADER, failedDeliveries } from './delivery-count.js';
import { EtaScheduler } from './eta-scheduler.js';
import { finishFailure, finishRetry, finishSuccess, requestMeta, type FinishContext } from './finish-task.js';
import { parseDelivery } from './parse-delivery.js';
import { PrefetchWindow } from './prefetch-window.js';
import { replaceTask } from './replace.js';
import { WorkerCanvas } from './worker-canvas.js';
import { RevokedSet } from './revoked-set.js';
import { storeRevoked } from './store-revoked.js';
import { runTask } from './run-task.js';
import { headerInfo, Settlement } from './settlement.js';
import { WorkerCounters } from './worker-counters.js';
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
  /** Earlier deliveries of this message that ended without an outcome. */
  failedDeliveries: number;
  /** Size of the message body, for the byte bound of the buffers. */
  bytes: number;
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
  /** Messages that did not simply run: requeued, redelivered, dead-lettered... (see `WorkerCounters`). */
  readonly counters = new WorkerCounters();
  processed = 0;
  #state: WorkerState = 'idle';
  #subscription: Subscription | null = null;
  #services: WorkerServices | null = null;
  #idle: (() => void) | null = null;
  readonly #finish: FinishContext;
  readonly #canvas: WorkerCanvas;
  readonly #settlement: Settlement;
  readonly #limiter: LogLimiter;
  readonly #stopping = new AbortController();
  readonly #window: PrefetchWindow;
  #reservedBytes = 0;
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
    this.scheduled = new EtaScheduler((h) => this.#enqueue(h), () => this.#syncPrefetch());
    // per-consumer QoS (quorum queues) applies only to consumers started later, so the window stays
    // static there, as in Celery: changing it would only give a consumer re-opened after a reconnect a stale value
    const staticWindow = (app.broker as { useGlobalQos?: boolean }).useGlobalQos === false;
    this.#window = new PrefetchWindow(this.options.prefetch, (n) => (staticWindow ? Promise.resolve() : this.#subscription?.setPrefetch(n) ?? Promise.resolve()));
    this.#limiter = new LogLimiter(app.logger);
    this.#canvas = new WorkerCanvas(app, () => this.hostname, (err) => this.events.emit('error', err));
    this.#finish = this.#canvas.finish;
    this.#settlement = new Settlement({
      broker: app.broker, topology: app.topology, backend: app.backend, finish: this.#finish, counters: this.counters, log: this.#limiter,
      events: this.events, options: this.options, stopping: this.#stopping.signal, parse: (d) => parseDelivery(app.codecs, d),
    });
    this.events.on('error', (err) => this.#limiter.log('error', 'worker-error', `worker: ${logText(err.message, 500)}`));
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
    // services exist before the first delivery (an ETA task may need to be parked at once)
    this.#services = new WorkerServices(this);
    this.#subscription = await this.app.broker.consume(this.options.queues, (d) => this.#onDelivery(d), { prefetch: this.options.prefetch });
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
  liveness(): { state: WorkerState; connected: boolean; consuming: boolean; lastDeliveryAt: number | null; active: number; reserved: number; scheduled: number; bufferedBytes: number } {
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
      bufferedBytes: this.bufferedBytes,
    };
  }

  /** Bytes of message bodies waiting in the reserved and ETA buffers (bounded by `maxBufferedBytes`). */
  get bufferedBytes(): number {
    return this.#reservedBytes + this.scheduled.bytes;
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
    this.#stopping.abort(); // a message waiting to go back on its queue goes now
    await this.#subscription?.cancel().catch((err: unknown) => this.events.emit('error', toError(err)));
    // what never started goes back uncounted: a graceful restart is not a failed delivery
    const unstarted = [...this.scheduled.drain(), ...this.reserved.splice(0)];
    this.#reservedBytes = 0;
    await Promise.all(unstarted.map((h) => this.#settlement.putBack(h.delivery, h.failedDeliveries)));
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
    this.#limiter.flush();
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
    const headers = delivery.properties.headers ?? {};
    // counted from the headers alone, before the body is decoded or anything runs
    const failed = failedDeliveries(headers, delivery.redelivered);
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      void this.#settlement.putBack(delivery, failed);
      return;
    }
    if (failed >= this.options.deliveryLimit) {
      void this.#settlement.limitReached(delivery, failed);
      return;
    }
    if (failed > countFrom(headers[DELIVERY_COUNT_HEADER])) {
      // came back without an outcome (crash, lost connection): record that in the message itself
      this.counters.increment('redelivered');
      void this.#settlement.returnToQueue(delivery, failed);
      return;
    }
    let req: TaskRequest;
    try {
      req = parseDelivery(this.app.codecs, delivery);
    } catch (err) {
      const e = toError(err);
      this.counters.increment('decode_failed');
      const info = headerInfo(delivery);
      void this.#settlement.deadLetter(delivery, `${e.name}: ${e.message}`, info);
      this.#canvas.refused({ id: info.taskId, replyTo: delivery.properties.replyTo ?? null, correlationId: delivery.properties.correlationId ?? null }, e, delivery.queue);
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
      void this.#settlement.deadLetter(delivery, `NotRegistered: ${err.message}`, { taskId: req.id, taskName: req.name });
      return;
    }
    const held: HeldRequest = {
      req, delivery, task, receivedAt: Date.now(), startedAt: null, abort: new AbortController(), acknowledged: false, failedDeliveries: failed, bytes: delivery.body.length,
    };
    this.events.emit('task-received', req);
    this.#log.received(req);
    if (this.#skipIfRevokedOrExpired(held)) return;
    if (req.eta && req.eta.getTime() > Date.now()) {
      const waitS = (req.eta.getTime() - Date.now()) / 1000;
      const full = this.#window.closed || (this.options.etaTaskLimit !== null && this.scheduled.size >= this.options.etaTaskLimit);
      // a full ETA buffer parks even short waits on the broker, when it can
      const park = this.#services!.parksLongEtas && (waitS > this.options.maxHeldEtaSeconds || (full && waitS >= 1));
      if (park) void this.#services!.delay(held, waitS);
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
    void this.#settlement.record(h, () => finishFailure(this.#finish, h.req, err, TaskState.REVOKED));
    return true;
  }

  #enqueue(h: HeldRequest): void {
    this.reserved.push(h);
    this.#reservedBytes += h.bytes;
    this.#syncPrefetch();
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
    this.#syncPrefetch();
    this.#pump();
  }

  #unreserve(h: HeldRequest): HeldRequest {
    this.#reservedBytes -= h.bytes;
    this.#syncPrefetch();
    return h;
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
      if (ms === 0) return this.#unreserve(this.reserved.splice(i, 1)[0]!);
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
        ? this.#unreserve(this.reserved.shift()!) // the common case: no rate limits anywhere
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
    if (!acksLate) this.#settlement.ack(h);
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
        // a counted copy stands for a redelivered message: task code still sees `redelivered`
        deliveryInfo: { exchange: delivery.exchange, routingKey: delivery.routingKey, queue: delivery.queue, redelivered: delivery.redelivered || h.failedDeliveries > 0, priority: req.priority },
        updateState: (state, meta) => this.app.backend.store(requestMeta(this.#finish, req, { status: state, result: meta }), target),
      });
      h.outcome = toRunOutcome(outcome, this.#terminated.has(h));
      if (this.#terminated.has(h) && outcome.kind !== 'success') {
        this.events.emit('task-revoked', req, { expired: false, terminated: true, signum: 15 });
        const err = Object.assign(new Error('terminated'), { excType: 'TaskRevokedError', excModule: 'celery.exceptions' });
        await this.#settlement.record(h, () => finishFailure(this.#finish, req, err, TaskState.REVOKED));
        return;
      }
      switch (outcome.kind) {
        case 'success': {
          const store = !(req.ignoreResult || task.options.ignoreResult);
          const how = await this.#settlement.record(h, () => finishSuccess(this.#finish, req, outcome.value, store, children));
          if (how !== 'recorded') return;
          this.events.emit('task-succeeded', req, outcome.value, outcome.runtime);
          this.#log.succeeded(req, outcome.value, outcome.runtime);
          return;
        }
        case 'retry':
          this.#log.retry(req, outcome.retry);
          if (await this.#settlement.record(h, () => finishRetry(this.#finish, req, outcome.retry, delivery.queue)) === 'recorded') {
            this.events.emit('task-retried', req, outcome.retry.exc ?? outcome.retry);
          }
          return;
        case 'ignore':
          this.#settlement.ack(h);
          return;
        case 'reject':
          this.events.emit('task-rejected', req, outcome.requeue);
          // a requeue comes back redelivered, so it counts against the delivery limit
          if (outcome.requeue) this.#settlement.settleOnce(h, () => delivery.reject(true));
          else {
            this.#canvas.refused({ req, id: req.id, replyTo: req.replyTo, correlationId: req.correlationId }, new Reject(outcome.reason), delivery.queue);
            await this.#settlement.deadLetter(delivery, `Reject: ${outcome.reason}`, { taskId: req.id, taskName: req.name }, h);
          }
          return;
        case 'failure':
          this.#log.failed(req, outcome.error);
          this.events.emit('task-failed', req, outcome.error, { id: req.id, name: req.name, traceback: outcome.error.stack ?? null });
          await this.#settlement.record(h, () => finishFailure(this.#finish, req, outcome.error), outcome.error);
          return;
      }
    } catch (err) {
      // storing STARTED or a custom state failed before there was an outcome
      await this.#settlement.recordError(h, toError(err));
    }
  }

  #syncPrefetch(): void {
    this.#window.sync({
      base: this.options.prefetch, etaHeld: this.scheduled.size, etaTaskLimit: this.options.etaTaskLimit,
      bufferedBytes: this.bufferedBytes, maxBufferedBytes: this.options.maxBufferedBytes,
    });
  }
}

