/**
 * The remote-control commands a worker answers (Celery's `celery inspect` / `celery control`),
 * with the reply shapes Python's tools expect. Unknown commands raise KeyError like Python.
 */
import { hostname as osHostname, loadavg } from 'node:os';
import { displayName } from '../protocol/task-message.js';
import type { HeldRequest } from '../worker/held-request.js';
import type { ControlledWorker } from './controlled-worker.js';
import { bugReport, confTable } from './worker-conf.js';

export type ControlHandler = (worker: ControlledWorker, args: Record<string, unknown>) => unknown;

function requestInfo(worker: ControlledWorker, h: HeldRequest) {
  return {
    id: h.req.id,
    name: displayName(h.req),
    args: h.req.args,
    kwargs: h.req.kwargs,
    type: h.req.name,
    hostname: worker.hostname,
    time_start: h.startedAt === null ? null : h.startedAt / 1000,
    acknowledged: h.acknowledged,
    delivery_info: { exchange: h.delivery.exchange, routing_key: h.delivery.routingKey, priority: h.req.priority, redelivered: h.delivery.redelivered || h.failedDeliveries > 0 },
    worker_pid: process.pid,
  };
}

function ids(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Celery's strtobool for `with_defaults` (it may arrive as a bool or as text from the CLI). */
function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['1', 'true', 'yes', 'y', 'on'].includes(v.toLowerCase()));
}

/** `n` of pool_grow / pool_shrink: a positive integer, 1 when missing. */
function count(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1;
}

/** `max` / `min` of autoscale: a whole number, or null when not given. */
function optionalInt(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

/** `signal` of revoke: a name (`SIGKILL`, `KILL`) or number, SIGTERM when missing or unknown. */
function signalName(v: unknown): NodeJS.Signals {
  const names: Record<string, NodeJS.Signals> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM' };
  if (typeof v === 'number') return names[v] ?? 'SIGTERM';
  if (typeof v !== 'string') return 'SIGTERM';
  const name = (v.toUpperCase().startsWith('SIG') ? v.toUpperCase() : `SIG${v.toUpperCase()}`) as NodeJS.Signals;
  return Object.values(names).includes(name) ? name : 'SIGTERM';
}

/** Celery's pool block of `stats`, plus what the pool did (Flower shows the whole dict). */
function poolStats(w: ControlledWorker) {
  const p = w.pool.stats();
  const o = w.options;
  return {
    'max-concurrency': p.size,
    processes: p.processes,
    'max-tasks-per-child': o.maxTasksPerChild ?? 'N/A',
    'max-memory-per-child': o.maxMemoryPerChild ?? 'N/A',
    'put-guarded-by-semaphore': false,
    timeouts: [o.softTimeLimit ?? 0, o.timeLimit ?? 0],
    implementation: `celeriac:${p.implementation}`,
    ...(w.autoscaler ? { autoscaler: w.autoscaler.info() } : {}),
    celeriac: { busy: p.busy, started: p.started, recycled: p.recycled, lost: p.lost, killed: p.killed, event_loop: w.eventLoopLag() },
  };
}

export const CONTROL_COMMANDS: ReadonlyMap<string, ControlHandler> = new Map<string, ControlHandler>([
  ['ping', () => ({ ok: 'pong' })],
  ['active', (w) => [...w.active.values()].map((h) => requestInfo(w, h))],
  ['reserved', (w) => w.reserved.map((h) => requestInfo(w, h))],
  ['scheduled', (w) => w.scheduled.list().map((h) => ({ eta: h.req.eta?.toISOString() ?? null, priority: h.req.priority, request: requestInfo(w, h) }))],
  ['revoked', (w) => w.revoked.ids()],
  ['registered', (w) => [...w.app.tasks.keys()].sort()],
  ['stats', (w) => ({
    total: Object.fromEntries(w.totals),
    pid: process.pid,
    clock: String(w.services?.clock ?? 0),
    uptime: Math.round((Date.now() - w.startedAt) / 1000),
    pool: poolStats(w),
    // connection counters ride along with the fields Celery reports (Flower shows the whole dict)
    broker: { transport: w.app.broker.kind, hostname: osHostname(), url: w.app.broker.displayUrl, ...w.app.broker.stats?.() },
    prefetch_count: w.options.prefetch,
    rusage: { maxrss: Math.round(process.memoryUsage().rss / 1024), utime: process.cpuUsage().user / 1e6, stime: process.cpuUsage().system / 1e6 },
    sw_ident: 'celeriac',
    loadavg: loadavg(),
    // not in Python's reply: messages that did not simply run, per reason
    celeriac: { ...w.counters.snapshot(), buffered_bytes: w.bufferedBytes },
  })],
  ['active_queues', (w) => w.options.queues.map((q) => ({
    name: q, exchange: { name: q, type: 'direct', durable: true, auto_delete: false }, routing_key: q, durable: true, exclusive: false, auto_delete: false, no_ack: false, queue_arguments: w.app.topology.taskQueueArguments(),
  }))],
  ['query_task', (w, a) => {
    const out: Record<string, [string, unknown]> = {};
    for (const id of ids(a.ids ?? a.task_id)) {
      const active = w.active.get(id);
      if (active) out[id] = ['active', requestInfo(w, active)];
      const reserved = w.reserved.find((h) => h.req.id === id);
      if (reserved) out[id] = ['reserved', requestInfo(w, reserved)];
      const scheduled = w.scheduled.list().find((h) => h.req.id === id);
      if (scheduled) out[id] = ['scheduled', requestInfo(w, scheduled)];
    }
    return out;
  }],
  ['revoke', (w, a) => {
    const list = ids(a.task_id);
    const terminated = w.revoke(list, a.terminate === true, signalName(a.signal));
    if (a.terminate === true) return { ok: `terminate: ${terminated.join(', ') || 'none'}` };
    return { ok: `tasks ${list.join(', ')} flagged as revoked` };
  }],
  ['enable_events', (w) => {
    w.options.sendEvents = true;
    return { ok: 'task events enabled' };
  }],
  ['disable_events', (w) => {
    w.options.sendEvents = false;
    return { ok: 'task events disabled' };
  }],
  ['rate_limit', (w, a) => {
    const name = String(a.task_name);
    if (!w.app.tasks.has(name)) return { error: `unknown task ${name}` };
    const limit = a.rate_limit as string | number | null;
    w.setRateLimit(name, limit);
    return { ok: limit === null || limit === 0 || limit === '0' ? 'rate limit disabled successfully' : 'new rate limit set successfully' };
  }],
  ['time_limit', (w, a) => {
    const task = w.app.tasks.get(String(a.task_name));
    if (!task) return { error: `unknown task ${String(a.task_name)}` };
    const o = task.options as { timeLimit?: number; softTimeLimit?: number };
    if (typeof a.hard === 'number') o.timeLimit = a.hard;
    if (typeof a.soft === 'number') o.softTimeLimit = a.soft;
    return { ok: 'time limits set successfully' };
  }],
  ['add_consumer', async (w, a) => {
    const q = String(a.queue);
    await w.addQueue(q);
    return { ok: `add consumer ${q}` };
  }],
  ['cancel_consumer', async (w, a) => {
    const q = String(a.queue);
    await w.removeQueue(q);
    return { ok: `no longer consuming from ${q}` };
  }],
  ['conf', (w, a) => confTable(w, truthy(a.with_defaults))],
  ['dump_conf', (w, a) => confTable(w, truthy(a.with_defaults))],
  ['report', (w) => bugReport(w)],
  // as Celery 5.5+: with autoscale on, the range is what changes (the autoscale command)
  ['pool_grow', (w, a) => {
    if (w.autoscaler) return { error: 'pool_grow is not supported with autoscale. Adjust autoscale range instead.' };
    w.setConcurrency(w.options.concurrency + count(a.n));
    return { ok: 'pool will grow' };
  }],
  ['pool_shrink', (w, a) => {
    if (w.autoscaler) return { error: 'pool_shrink is not supported with autoscale. Adjust autoscale range instead.' };
    w.setConcurrency(w.options.concurrency - count(a.n));
    return { ok: 'pool will shrink' };
  }],
  ['autoscale', (w, a) => {
    if (!w.autoscaler) throw Object.assign(new Error('Autoscale not enabled'), { pyRepr: "ValueError('Autoscale not enabled')" });
    const { max, min } = w.autoscaler.update(optionalInt(a.max), optionalInt(a.min));
    return { ok: `autoscale now max=${max} min=${min}` };
  }],
  // mingle: Python's LimitedSet.update() refuses a revoke time that is not a float, and JSON
  // writes a whole number of seconds as an int, so those get a microsecond
  ['hello', (w) => ({ revoked: Object.fromEntries(w.revoked.entries().map(([id, t]) => [id, t % 1000 === 0 ? t / 1000 + 1e-6 : t / 1000])), clock: w.services?.clock ?? 0 })],
  ['clock', (w) => ({ clock: w.services?.clock ?? 0 })],
  ['heartbeat', (w) => {
    void w.services?.heartbeat();
    return null;
  }],
  ['shutdown', (w) => {
    setImmediate(() => void w.stop());
    return undefined; // Python never replies to shutdown
  }],
]);
