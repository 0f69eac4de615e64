/**
 * A small in-memory picture of tasks and workers, built from Celery events (from Python and
 * Node workers alike) the way Flower and `celery.events.state` build theirs: one record per
 * task id, states merged by Celery's precedence, bounded by count and by bytes (least recently
 * updated are forgotten first; text fields from events are cut to `maxFieldLength`), workers
 * online while their heartbeat has not expired.
 *
 * Arguments in events are Python reprs, so a task can only be retried when the monitor knows
 * its original arguments: tasks sent through the router (`recordSent`) and tasks received by
 * the in-process worker passed as `worker` (its requests carry the decoded arguments).
 */
import { argsRepr, kwargsRepr, TypedEmitter, toError, type CeleriacApp, type CeleryEvent, type EventReceiver, type TaskRequest, type Worker } from '@celeriac/core';
import { approxBytes } from './approx-size.js';
import { TaskMetrics, type TaskMetricsOptions } from './metrics.js';
import type { HttpSendOptions } from './parse-send-request.js';

/** A task as the router's JSON shows it (Flower's field names; times are Unix seconds). */
export interface TrackedTask {
  uuid: string;
  name: string | null;
  state: string;
  /** Python repr of the positional arguments. */
  args: string | null;
  /** Python repr of the keyword arguments. */
  kwargs: string | null;
  sent: number | null;
  received: number | null;
  started: number | null;
  succeeded: number | null;
  failed: number | null;
  retried: number | null;
  revoked: number | null;
  rejected: number | null;
  /** Time of the event that set the current state. */
  timestamp: number | null;
  /** Seconds the task ran (from `task-succeeded`, or failed − started). */
  runtime: number | null;
  /** Python repr of the return value, as `task-succeeded` carries it. */
  result: string | null;
  exception: string | null;
  traceback: string | null;
  /** Hostname of the worker that reported it. */
  worker: string | null;
  retries: number | null;
  eta: string | null;
  expires: string | null;
  root_id: string | null;
  parent_id: string | null;
  /** The task this one re-sends (dashboard retry). */
  retry_of: string | null;
  /** The task that re-sent this one (dashboard retry). */
  retried_as: string | null;
  /** True when the original arguments are known, so the task can be sent again. */
  retryable: boolean;
}

/** A worker as seen through its events. */
export interface TrackedWorker {
  hostname: string;
  online: boolean;
  /** Unix seconds of the last event from it (local clock). */
  last_heartbeat: number;
  freq: number;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
  sw_ident: string | null;
  sw_ver: string | null;
  sw_sys: string | null;
  pid: number | null;
  /** A Celeriac worker's message counters per reason (requeued, dead_lettered...), from its heartbeats; null for Python workers. */
  counters: Record<string, number> | null;
}

/** What is needed to send a task again. */
export interface OriginalCall {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: HttpSendOptions;
}

export interface TaskMonitorOptions {
  app: CeleriacApp;
  /** An in-process worker: its requests give the original arguments of what it receives. */
  worker?: Worker;
  /** Tasks kept in memory. @defaultValue 10000 */
  maxTasks?: number;
  /** Estimated bytes the tracked tasks may hold, original arguments included. @defaultValue 67108864 (64 MiB) */
  maxBytes?: number;
  /** Longest text kept from an event field (args, kwargs, result, exception, traceback). @defaultValue 8192 */
  maxFieldLength?: number;
  /** Largest original call (arguments) kept for a retry; a larger one is not kept and the task is not retryable. @defaultValue 1048576 (1 MiB) */
  maxOriginalBytes?: number;
  /** Workers kept in memory. @defaultValue 1000 */
  maxWorkers?: number;
  /** Options of the counters and runtime histogram. */
  metrics?: TaskMetricsOptions;
}

export interface TaskMonitorEvents {
  /** A task record changed. */
  task: [task: TrackedTask];
  error: [error: Error];
}

export interface TaskFilter {
  /** @defaultValue 100 */
  limit?: number;
  state?: string;
  name?: string;
  worker?: string;
}

interface Record_ extends Omit<TrackedTask, 'retryable'> {
  original: OriginalCall | null;
  /** Event kinds already counted in the metrics for the current attempt. */
  counted: Set<string>;
  /** Estimated heap bytes of this record, as last counted. */
  bytes: number;
  originalBytes: number;
}

/** Estimated bytes of a record beyond its text fields and original call. */
const RECORD_OVERHEAD = 600;
const TEXT_FIELDS = ['uuid', 'name', 'state', 'args', 'kwargs', 'result', 'exception', 'traceback', 'worker', 'eta', 'expires', 'root_id', 'parent_id', 'retry_of', 'retried_as'] as const;

const EVENT_STATE: Readonly<Record<string, string>> = {
  'task-sent': 'PENDING', 'task-received': 'RECEIVED', 'task-started': 'STARTED', 'task-succeeded': 'SUCCESS',
  'task-failed': 'FAILURE', 'task-retried': 'RETRY', 'task-revoked': 'REVOKED', 'task-rejected': 'REJECTED',
};
/** celery/states.py PRECEDENCE: earlier is stronger; unknown (custom) states rank at index 2. */
const PRECEDENCE = ['SUCCESS', 'FAILURE', '', 'REVOKED', 'STARTED', 'RECEIVED', 'REJECTED', 'RETRY', 'PENDING'];
const rank = (s: string) => (PRECEDENCE.includes(s) ? PRECEDENCE.indexOf(s) : 2);
/** Fields an event of a weaker state may still fill in (celery.events.state merge_rules). */
const MERGE_KEEP: Readonly<Record<string, readonly string[]>> = {
  RECEIVED: ['name', 'args', 'kwargs', 'parent_id', 'root_id', 'retries', 'eta', 'expires'],
  PENDING: ['name', 'args', 'kwargs', 'parent_id', 'root_id', 'retries', 'eta', 'expires'],
};
const TASK_FIELDS = ['name', 'args', 'kwargs', 'result', 'exception', 'traceback', 'runtime', 'retries', 'eta', 'expires', 'root_id', 'parent_id'] as const;

/** Tracks tasks and workers from Celery events; feed it with `start()` or `handle()`. */
export class TaskMonitor {
  readonly events = new TypedEmitter<TaskMonitorEvents>();
  readonly metrics: TaskMetrics;
  readonly maxTasks: number;
  readonly maxBytes: number;
  readonly #maxFieldLength: number;
  readonly #maxOriginalBytes: number;
  #bytes = 0;
  readonly #app: CeleriacApp;
  readonly #worker: Worker | undefined;
  readonly #maxWorkers: number;
  readonly #tasks = new Map<string, Record_>();
  readonly #workers = new Map<string, Omit<TrackedWorker, 'online'> & { offline: boolean }>();
  #receiver: EventReceiver | null = null;
  #starting: Promise<void> | null = null;
  readonly #onWorkerReceived = (req: TaskRequest) => this.#learnOriginal(req);

  constructor(options: TaskMonitorOptions) {
    this.#app = options.app;
    this.#worker = options.worker;
    this.maxTasks = Math.max(1, options.maxTasks ?? 10_000);
    this.maxBytes = Math.max(1, options.maxBytes ?? 64 * 1024 * 1024);
    this.#maxFieldLength = Math.max(16, options.maxFieldLength ?? 8192);
    this.#maxOriginalBytes = Math.max(0, options.maxOriginalBytes ?? 1024 * 1024);
    this.#maxWorkers = Math.max(1, options.maxWorkers ?? 1000);
    this.metrics = new TaskMetrics(options.metrics);
  }

  /** Starts consuming Celery events (and listening to the in-process worker). Idempotent. */
  start(): Promise<void> {
    this.#starting ??= (async () => {
      this.#worker?.events.on('task-received', this.#onWorkerReceived);
      const receiver = this.#app.eventReceiver();
      receiver.on('event', (e) => this.handle(e));
      receiver.on('error', (err) => this.events.emit('error', err));
      await this.#app.broker.connect();
      await receiver.start();
      this.#receiver = receiver;
    })().catch((err: unknown) => {
      this.#starting = null;
      this.#worker?.events.off('task-received', this.#onWorkerReceived);
      throw toError(err);
    });
    return this.#starting;
  }

  /** Stops consuming events; what is known stays readable. */
  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    this.#worker?.events.off('task-received', this.#onWorkerReceived);
    await this.#receiver?.stop();
    this.#receiver = null;
    this.#starting = null;
  }

  /** Applies one Celery event (`task-*` or `worker-*`). */
  handle(event: CeleryEvent): void {
    if (typeof event.hostname === 'string' && event.hostname !== '') this.#seeWorker(event);
    if (!event.type.startsWith('task-') || typeof event.uuid !== 'string') {
      this.metrics.observeEvent(event);
      return;
    }
    const rec = this.#upsert(event.uuid);
    const ts = typeof event.timestamp === 'number' ? event.timestamp : Date.now() / 1000;
    const known = EVENT_STATE[event.type];
    const state = known ?? event.type.slice(5).toUpperCase();
    if (known) (rec as unknown as Record<string, unknown>)[event.type.slice(5)] = ts;
    if (event.type === 'task-retried') rec.counted.clear();
    if (!rec.counted.has(event.type)) {
      rec.counted.add(event.type);
      this.metrics.countState(state, (typeof event.name === 'string' ? event.name : null) ?? rec.name);
    }
    const weaker = state !== 'RETRY' && rec.state !== 'RETRY' && rank(state) > rank(rec.state);
    const keep = weaker ? MERGE_KEEP[state] ?? [] : TASK_FIELDS;
    for (const f of TASK_FIELDS) if (keep.includes(f) && event[f] !== undefined && event[f] !== null) (rec as unknown as Record<string, unknown>)[f] = this.#cut(event[f]);
    if (!weaker) {
      rec.state = state;
      rec.timestamp = ts;
    }
    if (typeof event.hostname === 'string' && event.type !== 'task-sent') rec.worker = event.hostname;
    if (event.type === 'task-failed' && typeof event.runtime !== 'number' && rec.started !== null) rec.runtime = Math.max(0, ts - rec.started);
    if (event.type === 'task-succeeded' || event.type === 'task-failed') {
      if (rec.runtime !== null) this.metrics.observeRuntime(state, rec.name, rec.runtime);
    }
    this.metrics.observeEvent(event, rec);
    this.#changed(rec);
  }

  /**
   * Records a task this process sent, with its original arguments (state PENDING, counted as
   * sent). `retryOf` links a re-sent task to the one it retries; `sentAt` is Unix seconds.
   */
  recordSent(id: string, call: OriginalCall, options: { retryOf?: string | null; sentAt?: number } = {}): TrackedTask {
    const retryOf = options.retryOf ?? null;
    const rec = this.#upsert(id);
    this.#keepOriginal(rec, { name: call.name, args: [...call.args], kwargs: { ...call.kwargs }, options: { ...call.options } });
    rec.name ??= call.name;
    rec.args ??= listRepr(call.args);
    rec.kwargs ??= kwargsRepr(call.kwargs);
    rec.sent ??= options.sentAt ?? Date.now() / 1000;
    rec.retry_of = retryOf;
    if (!rec.counted.has('task-sent')) {
      rec.counted.add('task-sent');
      this.metrics.countState('PENDING', call.name);
    }
    if (rec.timestamp === null) rec.timestamp = rec.sent;
    if (retryOf !== null) {
      const previous = this.#tasks.get(retryOf);
      if (previous) previous.retried_as = id;
    }
    return this.#changed(rec);
  }

  /** The task's record, or undefined when it is unknown (never seen, or forgotten). */
  get(id: string): TrackedTask | undefined {
    const rec = this.#tasks.get(id);
    return rec ? view(rec) : undefined;
  }

  /** The original call of a task, when known (see the module comment). */
  original(id: string): OriginalCall | undefined {
    return this.#tasks.get(id)?.original ?? undefined;
  }

  /** Tasks, most recently updated first. */
  list(filter: TaskFilter = {}): TrackedTask[] {
    const limit = Math.max(0, filter.limit ?? 100);
    const out: TrackedTask[] = [];
    const all = [...this.#tasks.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const rec = all[i]!;
      if (filter.state !== undefined && rec.state !== filter.state) continue;
      if (filter.name !== undefined && rec.name !== filter.name) continue;
      if (filter.worker !== undefined && rec.worker !== filter.worker) continue;
      out.push(view(rec));
    }
    return out;
  }

  /** Number of tasks held. */
  get size(): number {
    return this.#tasks.size;
  }

  /** Estimated bytes the tracked tasks hold (bounded by `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Workers seen, by hostname. */
  workers(now: number = Date.now()): TrackedWorker[] {
    return [...this.#workers.values()].map(({ offline, ...w }) => ({
      ...w,
      online: !offline && now / 1000 <= w.last_heartbeat + Math.max(1, w.freq) * 2,
    }));
  }

  workersOnline(now: number = Date.now()): number {
    return this.workers(now).filter((w) => w.online).length;
  }

  #seeWorker(e: CeleryEvent): void {
    const prev = this.#workers.get(e.hostname);
    const num = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : null);
    const str = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : null);
    const w = prev ?? {
      hostname: e.hostname, last_heartbeat: 0, freq: 2, active: null, processed: null, loadavg: null, sw_ident: null, sw_ver: null, sw_sys: null, pid: null, counters: null, offline: false,
    };
    w.last_heartbeat = Date.now() / 1000;
    if (e.type.startsWith('worker-')) {
      w.offline = e.type === 'worker-offline';
      w.freq = num('freq') ?? w.freq;
      w.active = num('active') ?? w.active;
      w.processed = num('processed') ?? w.processed;
      w.loadavg = Array.isArray(e.loadavg) ? e.loadavg.filter((x): x is number => typeof x === 'number') : w.loadavg;
      w.sw_ident = str('sw_ident') ?? w.sw_ident;
      w.sw_ver = str('sw_ver') ?? w.sw_ver;
      w.sw_sys = str('sw_sys') ?? w.sw_sys;
      w.pid = num('pid') ?? w.pid;
      w.counters = countersOf(e.x_celeriac_counters) ?? w.counters;
    } else if (e.type !== 'task-sent') {
      w.offline = false;
    } else if (!prev) {
      return; // a producer's task-sent does not make it a worker
    }
    this.#workers.delete(e.hostname);
    this.#workers.set(e.hostname, w);
    if (this.#workers.size > this.#maxWorkers) this.#workers.delete(this.#workers.keys().next().value!);
  }

  #learnOriginal(req: TaskRequest): void {
    const rec = this.#upsert(req.id);
    if (!rec.original) this.#keepOriginal(rec, { name: req.name, args: [...req.args], kwargs: { ...req.kwargs }, options: {} });
    rec.name ??= req.name;
    this.#changed(rec);
  }

  #upsert(id: string): Record_ {
    const rec = this.#tasks.get(id);
    if (rec) {
      this.#tasks.delete(id); // re-inserted by #changed: the Map stays in update order
      return rec;
    }
    const { retryable: _retryable, ...fields } = blankTask(id);
    return { ...fields, original: null, counted: new Set(), bytes: 0, originalBytes: 0 };
  }

  /** Keeps the original call when it is small enough (a larger one would crowd out every other task). */
  #keepOriginal(rec: Record_, call: OriginalCall): void {
    const bytes = approxBytes(call, this.#maxOriginalBytes);
    rec.original = bytes <= this.#maxOriginalBytes ? call : null;
    rec.originalBytes = rec.original ? bytes : 0;
  }

  /** Event text cut to `maxFieldLength` (a traceback or repr from any worker can be long). */
  #cut(value: unknown): unknown {
    if (typeof value !== 'string' || value.length <= this.#maxFieldLength) return value;
    return `${value.slice(0, this.#maxFieldLength)}…`;
  }

  #changed(rec: Record_): TrackedTask {
    this.#tasks.set(rec.uuid, rec);
    this.#bytes -= rec.bytes;
    rec.bytes = recordBytes(rec);
    this.#bytes += rec.bytes;
    while (this.#tasks.size > this.maxTasks || (this.#bytes > this.maxBytes && this.#tasks.size > 1)) {
      const oldest = this.#tasks.values().next().value!;
      this.#tasks.delete(oldest.uuid);
      this.#bytes -= oldest.bytes;
    }
    const v = view(rec);
    this.events.emit('task', v);
    return v;
  }
}

/** The argsrepr `app.sendTask` writes: Python's repr of the args list (`[6, 7]`), as `send_task` does. */
function listRepr(args: readonly unknown[]): string {
  const tuple = argsRepr(args);
  if (!tuple.startsWith('(') || !tuple.endsWith(')')) return tuple;
  const inner = tuple.slice(1, -1);
  return `[${args.length === 1 && inner.endsWith(',') ? inner.slice(0, -1) : inner}]`;
}

/** A record with nothing known but the id (state PENDING). */
export function blankTask(uuid: string): TrackedTask {
  return {
    uuid, name: null, state: 'PENDING', args: null, kwargs: null, sent: null, received: null, started: null, succeeded: null,
    failed: null, retried: null, revoked: null, rejected: null, timestamp: null, runtime: null, result: null, exception: null,
    traceback: null, worker: null, retries: null, eta: null, expires: null, root_id: null, parent_id: null, retry_of: null,
    retried_as: null, retryable: false,
  };
}

function view(rec: Record_): TrackedTask {
  const { original, counted: _counted, bytes: _bytes, originalBytes: _originalBytes, ...fields } = rec;
  return { ...fields, retryable: original !== null };
}

function recordBytes(rec: Record_): number {
  let bytes = RECORD_OVERHEAD + rec.originalBytes;
  for (const f of TEXT_FIELDS) {
    const v = rec[f];
    if (typeof v === 'string') bytes += 16 + 2 * v.length;
  }
  return bytes;
}

/** The counters a Celeriac worker puts in its heartbeats, when they look right. */
function countersOf(value: unknown): Record<string, number> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 20)) {
    if (/^[a-z_]{1,40}$/.test(k) && typeof v === 'number' && Number.isFinite(v) && v >= 0) out[k] = v;
  }
  return out;
}
