/**
 * The worker: consumes its queues with a prefetch window (bounded by count and bytes), counts
 * redeliveries against the delivery limit, turns each delivery into a task request (bad input
 * goes to `<queue>.dlq` with the reason, never silently dropped), holds ETA tasks, runs up to
 * `concurrency` tasks at a time, and settles every delivery exactly once through `Settlement`.
 * Stop is graceful: stop consuming, put back what did not start (uncounted), let running tasks
 * finish within the deadline.
 */
import type { Delivery, Subscription } from '../broker/broker.js';
import { capabilitiesOf } from '../broker/capabilities.js';
import type { WorkerContext } from './worker-context.js';
import { toError } from '../errors/base-error.js';
import { logText } from '../util/log-text.js';
import { NotRegisteredError } from '../errors/task-errors.js';
import { LogLimiter } from '../util/log-limiter.js';
import { buildResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { countFrom, DELIVERY_COUNT_HEADER, failedDeliveries } from './delivery-count.js';
import { EtaScheduler } from './eta-scheduler.js';
import { finishFailure, type FinishContext } from './finish-task.js';
import { parseDelivery } from './parse-delivery.js';
import { PrefetchWindow } from './prefetch-window.js';
import { WorkerCanvas } from './worker-canvas.js';
import { RevokedSet } from './revoked-set.js';
import { storeRevoked } from './store-revoked.js';
import { headerInfo, Settlement } from './settlement.js';
import { WorkerCounters } from './worker-counters.js';
import type { WorkerEvents } from './worker-events.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker-options.js';
import { WorkerServices, type ServicedWorker } from './worker-services.js';
import type { HeldRequest } from './held-request.js';
import type { RateLimit } from './rate-limit.js';
import { RateGate } from './rate-gate.js';
import { composeRun } from '../instrumentation/instrumentation.js';
import { TaskLog } from './task-log.js';
import { installShutdownSignals } from './shutdown-signals.js';
import { ShutdownStages } from './shutdown-stages.js';
import { TaskRunner } from './task-runner.js';
import { createPool } from './pool/create-pool.js';
import type { PoolStats, TaskPool } from './pool/task-pool.js';
import { AsyncPool } from './pool/async-pool.js';
import { blockedReport, LoopMonitor, type LoopLag } from './loop-monitor.js';
import { createAutoscaler, type Autoscaler } from './autoscaler.js';

export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Worker implements ServicedWorker {
  readonly app: WorkerContext;
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
  #shutdown: ShutdownStages | null = null;
  /** Requests waiting for a running task with the same id to end. */
  readonly #sameId = new Map<string, HeldRequest[]>();
  #lastDeliveryAt: number | null = null;
  readonly #rates = new RateGate(() => this.#pump());
  readonly #log: TaskLog;
  readonly #runner: TaskRunner;
  /** Where task functions run (`-P`). */
  readonly pool: TaskPool;
  readonly #loop: LoopMonitor;
  /** The autoscaler, with `--autoscale max,min`; null otherwise. */
  readonly autoscaler: Autoscaler | null;

  constructor(app: WorkerContext, options: WorkerOptions = {}) {
    this.app = app;
    this.options = resolveWorkerOptions(options, app.options.defaultQueue);
    this.scheduled = new EtaScheduler((h) => this.#enqueue(h), () => this.#syncPrefetch());
    // per-consumer QoS (quorum queues) applies only to consumers started later, so the window stays
    // static there, as in Celery: changing it would only give a consumer re-opened after a reconnect a stale value
    const staticWindow = !capabilitiesOf(app.broker).livePrefetch;
    this.#window = new PrefetchWindow(this.options.prefetch, (n) => (staticWindow ? Promise.resolve() : this.#subscription?.setPrefetch(n) ?? Promise.resolve()));
    this.#limiter = new LogLimiter(app.logger);
    this.#canvas = new WorkerCanvas(app, () => this.hostname, (err) => this.events.emit('error', err));
    this.#finish = this.#canvas.finish;
    this.#settlement = new Settlement({
      broker: app.broker, topology: app.topology, backend: app.backend, finish: this.#finish, counters: this.counters, log: this.#limiter,
      events: this.events, options: this.options, stopping: this.#stopping.signal, parse: (d) => parseDelivery(app.codecs, d),
    });
    this.events.on('error', (err) => this.#limiter.log('error', 'worker-error', `worker: ${logText(err.message, 500)}`));
    this.#log = new TaskLog(app.logger);
    this.pool = createPool(this.options, () => [...app.tasks.keys()], app.logger);
    this.#runner = new TaskRunner({
      app, hostname: () => this.hostname, options: this.options, events: this.events, settlement: this.#settlement, finish: this.#finish, canvas: this.#canvas,
      log: this.#log, counters: this.counters, pool: () => this.pool, terminated: this.#terminated,
      wrapRun: composeRun(app.options.instrumentation ?? [], (err, name) => app.logger.error(`instrumentation ${name}: ${toError(err).message}`)),
    });
    this.#loop = new LoopMonitor({ thresholdMs: this.options.blockedLoopThresholdMs, onBlocked: (ms) => this.#reportBlocked(ms) });
    this.autoscaler = createAutoscaler(this.options.autoscale, {
      demand: () => this.active.size + this.reserved.length,
      size: () => this.pool.size,
      resize: (n, why) => {
        app.logger.info(`autoscale: ${why} (pool ${this.pool.size} -> ${n})`);
        this.#resize(n);
      },
      maxChanged: (max) => this.#setPrefetch(max * this.options.prefetchMultiplier),
    });
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
    // children first: a tasks module that cannot be loaded stops the start before any message is taken
    try {
      await this.pool.start();
    } catch (err) {
      await this.pool.close(true);
      this.#state = 'stopped';
      throw err;
    }
    this.#loop.start();
    await this.app.connect(); // the backend too: a TLS problem there fails the start, not every result
    for (const q of this.options.queues) await this.app.topology.ensureTaskQueue(q);
    // services exist before the first delivery (an ETA task may need to be parked at once)
    this.#services = new WorkerServices(this);
    this.#subscription = await this.app.broker.consume(this.options.queues, (d) => this.#onDelivery(d), {
      prefetch: this.options.prefetch, ...(this.options.consumerTimeout !== null ? { consumerTimeoutMs: this.options.consumerTimeout } : {}),
    });
    // ETA deliveries that came with the consume-ok may have moved the window before this line
    if (this.#subscription.active) this.#window.reapply();
    await this.#services.start();
    this.autoscaler?.start();
    this.#state = 'running';
    if (this.options.handleSignals) {
      this.#removeSignals = installShutdownSignals(this.app.logger, {
        shutdown: (stage) => this.shutdown(stage).then(() => this.app.close()),
        hard: () => void this.pool.close(true),
      });
    }
    this.events.emit('worker-online');
  }

  /**
   * For health endpoints: is the broker connected, is this worker consuming, when did the last
   * delivery arrive, how much is running and waiting.
   */
  liveness(): {
    state: WorkerState; connected: boolean; consuming: boolean; lastDeliveryAt: number | null; active: number; reserved: number; scheduled: number; bufferedBytes: number;
    eventLoop: LoopLag; pool: PoolStats;
  } {
    const b = this.app.broker.liveness?.() ?? { connected: this.app.broker.state === 'ready', consumers: this.#subscription ? 1 : 0, lastDeliveryAt: this.#lastDeliveryAt };
    return {
      state: this.#state,
      connected: b.connected,
      consuming: this.#state === 'running' && this.#subscription !== null && b.consumers > 0,
      lastDeliveryAt: this.#lastDeliveryAt,
      active: this.active.size,
      reserved: this.reserved.length,
      scheduled: this.scheduled.size,
      bufferedBytes: this.bufferedBytes,
      eventLoop: this.#loop.lag(),
      pool: this.pool.stats(),
    };
  }

  /** Event-loop lag of the worker's process over the last 10 to 20 seconds, and its blocks since start. */
  eventLoopLag(): LoopLag {
    return this.#loop.lag();
  }

  #reportBlocked(ms: number): void {
    this.app.logger.warn(blockedReport(ms, this.pool instanceof AsyncPool ? this.pool : null));
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
  revoke(ids: readonly string[], terminate = false, signal: NodeJS.Signals = 'SIGTERM'): string[] {
    const terminated: string[] = [];
    for (const id of ids) {
      this.revoked.add(id);
      const running = this.active.get(id);
      if (terminate && running) {
        this.#terminated.add(running);
        running.abort.abort(Object.assign(new Error('terminated'), { name: 'TaskRevokedError' }));
        // threads and processes: the child running it is killed (async: the AbortSignal is all there is)
        this.pool.terminate(id, signal);
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
   * to `shutdownTimeout`, then stop the rest as a cold shutdown does.
   */
  stop(options: { timeout?: number } = {}): Promise<void> {
    return this.shutdown('warm', options);
  }

  /**
   * Shuts the worker down at a stage of Celery 5.5's (see the README's table): `warm` lets
   * running tasks finish (within `shutdownTimeout`); `cold` stops them, after a soft stage of
   * `softShutdownTimeout` seconds when one is set, and their messages go back to the queue.
   * Called while a shutdown runs, a later stage takes over at once.
   */
  shutdown(stage: 'warm' | 'cold', options: { timeout?: number } = {}): Promise<void> {
    if (this.#shutdown) {
      this.#shutdown.escalate(stage);
      return this.#shutdown.done;
    }
    if (this.#state === 'stopped') return Promise.resolve();
    this.#shutdown = new ShutdownStages(stage, { logger: this.app.logger, softSeconds: this.options.softShutdownTimeout, softOnIdle: this.options.softShutdownOnIdle });
    this.#shutdown.done = this.#runShutdown(this.#shutdown, options.timeout ?? this.options.shutdownTimeout);
    return this.#shutdown.done;
  }

  async #runShutdown(stages: ShutdownStages, warmTimeoutMs: number): Promise<void> {
    this.#state = 'stopping';
    this.#stopping.abort(); // a message waiting to go back on its queue goes now
    this.autoscaler?.stop();
    await this.#subscription?.cancel().catch((err: unknown) => this.events.emit('error', toError(err)));
    // what never started goes back uncounted: a graceful restart is not a failed delivery
    const unstarted = [...this.scheduled.drain(), ...this.reserved.splice(0), ...[...this.#sameId.values()].flat()];
    this.#sameId.clear();
    this.#reservedBytes = 0;
    await Promise.all(unstarted.map((h) => this.#settlement.putBack(h.delivery, h.failedDeliveries)));
    this.#rates.stop();
    const idle = () => (this.active.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#idle = resolve)));
    await stages.run({ running: () => this.active.size, idle, warmTimeoutMs });
    if (this.active.size > 0) {
      this.app.logger.warn(`cold shutdown: stopping ${this.active.size} running task(s); their messages go back to the queue`);
      for (const h of this.active.values()) h.abort.abort(new Error('worker shutdown: cold'));
      // closing the channel returns every unacknowledged message to its queue
      await this.#subscription?.close().catch(() => undefined);
    }
    await this.pool.close(this.active.size > 0);
    this.#loop.stop();
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
    const running = typeof headers.id === 'string' ? this.active.get(headers.id) : undefined;
    if (running && running.delivery.settled && !running.acknowledged) {
      // RabbitMQ took the first delivery back (its consumer timeout closed the channel) while the
      // task still runs here: this is the same message. It is not run again, nor counted; it is
      // settled when the task ends (see the README, "Long tasks and the consumer timeout")
      running.delivery = delivery;
      this.counters.increment('running_copy');
      this.#limiter.log('warn', 'running-copy', `task ${logText(running.req.name)}[${logText(running.req.id)}] is still running here and its message came back from the broker (consumer timeout?): not run twice; it is settled when the task ends`);
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
   * Changes how many tasks run at once (remote control `pool_grow` / `pool_shrink`): the pool
   * grows or shrinks (busy threads or processes leave when their task ends) and the prefetch
   * window follows, keeping the prefetch multiplier. At least 1.
   */
  setConcurrency(concurrency: number): void {
    this.#resize(concurrency);
    this.#setPrefetch(this.options.concurrency * this.options.prefetchMultiplier);
  }

  #resize(concurrency: number): void {
    const next = Math.max(1, Math.floor(concurrency));
    this.options.concurrency = next;
    this.pool.resize(next);
    this.#pump();
  }

  #setPrefetch(prefetch: number): void {
    this.options.prefetch = prefetch;
    this.#syncPrefetch();
  }

  #requeueFront(h: HeldRequest): void {
    this.reserved.unshift(h);
    this.#reservedBytes += h.bytes;
  }

  #unreserve(h: HeldRequest): HeldRequest {
    this.#reservedBytes -= h.bytes;
    this.#syncPrefetch();
    return h;
  }

  /** Sets (or with null, removes) a task's rate limit on this worker (remote control `rate_limit`). */
  setRateLimit(taskName: string, limit: RateLimit): void {
    this.#rates.set(taskName, limit);
    this.#pump();
  }

  #pump(): void {
    while (this.active.size < this.options.concurrency && this.reserved.length > 0 && this.#state !== 'stopping') {
      const i = this.#rates.open(this.reserved[0]!) ? 0 : this.#rates.next(this.reserved);
      if (i < 0) return;
      const h = this.#unreserve(this.reserved.splice(i, 1)[0]!);
      // its channel is gone (a consumer timeout, a lost connection): RabbitMQ has put it back already
      if (h.delivery.settled && !h.acknowledged) continue;
      if (this.active.has(h.req.id)) {
        // the same task id runs here now (a retry sent with countdown 0, a duplicate): never two at once
        this.#sameId.set(h.req.id, [...(this.#sameId.get(h.req.id) ?? []), h]);
        continue;
      }
      if (this.#skipIfRevokedOrExpired(h)) continue;
      this.active.set(h.req.id, h);
      void this.#runner.execute(h).finally(() => {
        this.active.delete(h.req.id);
        const next = this.#sameId.get(h.req.id);
        this.#sameId.delete(h.req.id);
        if (next) for (const n of next.reverse()) this.#requeueFront(n);
        this.processed++;
        this.totals.set(h.req.name, (this.totals.get(h.req.name) ?? 0) + 1);
        if (this.active.size === 0 && this.#idle) this.#idle();
        this.#pump();
      });
    }
  }

  #syncPrefetch(): void {
    this.#window.sync({
      base: this.options.prefetch, etaHeld: this.scheduled.size, etaTaskLimit: this.options.etaTaskLimit,
      bufferedBytes: this.bufferedBytes, maxBufferedBytes: this.options.maxBufferedBytes,
    });
  }
}

