/**
 * The worker's side services: Celery events (task events with `sendEvents`, worker-online /
 * heartbeat / offline always), the remote-control node, and the delay queues for long ETAs.
 */
import { loadavg } from 'node:os';
import { PidboxNode } from '../control/pidbox.js';
import { EventDispatcher } from '../events/event-dispatcher.js';
import { resultRepr } from '../protocol/python-repr.js';
import { displayName } from '../protocol/task-message.js';
import { toError } from '../errors/base-error.js';
import { logText } from '../util/log-text.js';
import { AccessRefusedError, TopologyMissingError } from '../errors/broker-errors.js';
import type { DelayedDelivery } from '../broker/broker.js';
import { capabilitiesOf } from '../broker/capabilities.js';
import type { HeldRequest } from './held-request.js';
import type { ControlledWorker } from '../control/controlled-worker.js';
import type { TypedEmitter } from '../util/typed-emitter.js';
import type { WorkerEvents } from './worker-events.js';
import { VERSION } from '../version.js';

/** The version workers report in events and `stats` (this package's version). */
export const SW_VERSION = VERSION;

/** The worker as its side services see it (the worker implements it). */
export interface ServicedWorker extends ControlledWorker {
  readonly events: TypedEmitter<WorkerEvents>;
  readonly scheduled: { list(): readonly HeldRequest[]; hold(h: HeldRequest): void };
  readonly processed: number;
}

export class WorkerServices {
  readonly events: EventDispatcher;
  #pidbox: PidboxNode | null;
  #eventsRefused = false;
  readonly #delays: DelayedDelivery | null;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly worker: ServicedWorker) {
    this.events = new EventDispatcher(worker.app, worker.hostname);
    this.#pidbox = worker.options.control ? new PidboxNode(worker.app, worker) : null;
    const native = worker.app.options.nativeDelayedDelivery;
    const { broker } = worker.app;
    const parks = native !== false && capabilitiesOf(broker).nativeDelayedDelivery && broker.delayedDelivery !== undefined;
    this.#delays = parks ? broker.delayedDelivery!({ queueType: native?.queueType ?? 'quorum' }) : null;
  }

  get clock(): number {
    return this.events.clock;
  }

  async start(): Promise<void> {
    try {
      await this.#pidbox?.start();
    } catch (err) {
      // a user without the rights for remote control still runs tasks
      if (!isRefusal(err)) throw err;
      this.worker.app.logger.error(`remote control is off for ${this.worker.hostname}: ${err.message}`);
      this.#pidbox = null;
    }
    this.#wireTaskEvents();
    await this.#workerEvent('worker-online');
    if (this.worker.options.heartbeatInterval > 0) { // 0: no worker-heartbeat events (Celery's --without-heartbeat)
      this.#heartbeat = setInterval(() => void this.heartbeat(), this.worker.options.heartbeatInterval * 1000);
      this.#heartbeat.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    await this.#workerEvent('worker-offline');
    await this.#pidbox?.stop();
  }

  heartbeat(): Promise<void> {
    return this.#workerEvent('worker-heartbeat');
  }

  /** True when long ETAs are parked on the broker instead of held (brokers with native delayed delivery: RabbitMQ). */
  get parksLongEtas(): boolean {
    return this.#delays !== null;
  }

  async delay(h: HeldRequest, waitSeconds: number): Promise<void> {
    try {
      if (!this.#delays) throw new Error('no broker-side delay on this broker');
      await this.#delays.park(h.delivery, waitSeconds);
    } catch (err) {
      this.worker.app.logger.error(`could not park ETA task ${logText(h.req.id)}: ${logText(toError(err).message, 500)}; holding it instead`);
      this.worker.scheduled.hold(h);
    }
  }

  #workerEvent(type: string): Promise<void> {
    return this.#send(type, () => ({
      freq: this.worker.options.heartbeatInterval,
      active: this.worker.active.size,
      processed: this.worker.processed,
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
      sw_ident: 'celeriac',
      sw_ver: SW_VERSION,
      sw_sys: process.platform === 'linux' ? 'Linux' : process.platform,
      // extra field (Python and Flower ignore it): what did not simply run, per reason
      x_celeriac_counters: this.worker.counters.snapshot(),
    }), true);
  }

  /** Sends an event; `fields` is only called (reprs only built) when the event is really sent. */
  #send(type: string, fields: () => Record<string, unknown>, always = false): Promise<void> {
    if (!always && !this.worker.options.sendEvents) return Promise.resolve();
    return Promise.resolve().then(() => this.events.send(type, fields())).catch((err: unknown) => {
      if (isRefusal(err) && !this.#eventsRefused) {
        this.#eventsRefused = true; // said once, in full; then at debug like any lost event
        this.worker.app.logger.error(`events are not sent: ${err.message}`);
        return;
      }
      this.worker.app.logger.debug(`event ${type} not sent: ${toError(err).message}`);
    });
  }

  /** Task events: with events off, nothing is built at all (this runs for every task). */
  #wireTaskEvents(): void {
    const w = this.worker.events;
    const on = () => this.worker.options.sendEvents;
    const max = this.worker.options.resultReprMaxSize;
    w.on('task-received', (r) => on() && void this.#send('task-received', () => ({
      uuid: r.id, name: displayName(r), args: r.argsrepr, kwargs: r.kwargsrepr, root_id: r.rootId, parent_id: r.parentId,
      retries: r.retries, eta: r.eta?.toISOString() ?? null, expires: r.expires?.toISOString() ?? null,
    })));
    w.on('task-started', (r) => on() && void this.#send('task-started', () => ({ uuid: r.id })));
    w.on('task-succeeded', (r, result, runtime) => on() && void this.#send('task-succeeded', () => ({ uuid: r.id, result: resultRepr(result, max), runtime })));
    w.on('task-failed', (r, err, info) => on() && void this.#send('task-failed', () => ({
      uuid: r?.id ?? info.id, exception: exceptionRepr(err, max), traceback: info.traceback,
    })));
    w.on('task-retried', (r, err) => on() && void this.#send('task-retried', () => ({ uuid: r.id, exception: exceptionRepr(err, max), traceback: err.stack ?? null })));
    w.on('task-revoked', (r, info) => on() && void this.#send('task-revoked', () => ({ uuid: r.id, terminated: info.terminated, signum: info.signum, expired: info.expired })));
    w.on('task-rejected', (r, requeue) => on() && void this.#send('task-rejected', () => ({ uuid: r.id, requeue })));
  }
}

/** RabbitMQ refused something for lack of a permission, or what passive mode checks for is missing. */
function isRefusal(err: unknown): err is AccessRefusedError | TopologyMissingError {
  return err instanceof AccessRefusedError || err instanceof TopologyMissingError;
}

/** `ValueError('boom')`, with the message cut to `max` characters. */
function exceptionRepr(err: Error, max: number): string {
  return `${err.name}(${resultRepr(err.message, max)})`;
}
