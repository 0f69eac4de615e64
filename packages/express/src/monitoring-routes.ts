/**
 * Read-only routes: tracked tasks, workers (Flower's `inspect`-based view and the monitor's
 * event-based one), queue lengths, health and Prometheus metrics.
 */
import type { Request, Response } from 'express';
import { checkHealth } from './health.js';
import { renderMetrics } from './metrics.js';
import { queryFlag, queryNumber, queryString, withTimeout } from './request-params.js';
import type { ProbeContext, RouterContext } from './router-context.js';
import { badRequest } from './errors.js';
import type { TrackedWorker } from './task-monitor.js';

type Handler = (req: Request, res: Response) => Promise<void> | void;

/** `GET /api/tasks?limit=&state=&taskname=&workername=`: Flower's dict of tasks by id, most recent first. */
export function tasksRoute(ctx: RouterContext): Handler {
  return (req, res) => {
    const tasks = ctx.monitor.list({
      limit: queryNumber(req, 'limit', 0, 1000, 100),
      ...optional('state', queryString(req, 'state', 32)),
      ...optional('name', queryString(req, 'taskname')),
      ...optional('worker', queryString(req, 'workername')),
    });
    res.json(Object.fromEntries(tasks.map((t) => [t.uuid, t])));
  };
}

/** What `GET /api/workers` asks every worker, as Flower does. */
const INSPECT_METHODS = ['stats', 'active_queues', 'registered', 'scheduled', 'active', 'reserved', 'revoked'] as const;
const WORKER_NAME = /^[\w@.:-]{1,255}$/;

/**
 * `GET /api/workers[?workername=][&status=true]`: the workers' answers to `inspect`, by
 * hostname (`{stats, active_queues, registered, ...}`); with `status`, `{hostname: online}`
 * from their heartbeats.
 */
export function workersRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const name = queryString(req, 'workername');
    if (name !== undefined && !WORKER_NAME.test(name)) throw badRequest('invalid worker name');
    if (queryFlag(req, 'status')) {
      const workers = ctx.monitor.workers().filter((w) => name === undefined || w.hostname === name);
      res.json(Object.fromEntries(workers.map((w) => [w.hostname, w.online])));
      return;
    }
    const options = { timeout: ctx.inspectTimeout, ...(name !== undefined ? { destination: [name] } : {}) };
    const replies = await Promise.all(INSPECT_METHODS.map((m) => ctx.app.control.inspect(m, {}, options)));
    const out: Record<string, Record<string, unknown>> = {};
    INSPECT_METHODS.forEach((method, i) => {
      for (const [host, value] of Object.entries(replies[i]!)) (out[host] ??= {})[method] = value;
    });
    for (const w of Object.values(out)) w.timestamp = Date.now() / 1000;
    res.json(out);
  };
}

/** `GET /api/monitor`: workers seen through events, and what the monitor holds (for the dashboard). */
export function monitorRoute(ctx: RouterContext): Handler {
  return (_req, res) => {
    res.json({
      workers: listedWorkers(ctx),
      tasks_tracked: ctx.monitor.size,
      max_tasks: ctx.monitor.maxTasks,
      tasks_tracked_bytes: ctx.monitor.bytes,
      max_bytes: ctx.monitor.maxBytes,
      read_only: ctx.readOnly,
    });
  };
}

/**
 * Workers to show: online ones first (by name), then offline ones for `offlineWorkerTtl`
 * seconds after their last event; workers gone longer also lose their Flower series.
 */
export function listedWorkers(ctx: Pick<RouterContext, 'monitor' | 'offlineWorkerTtl'>, now: number = Date.now()): TrackedWorker[] {
  const all = ctx.monitor.workers(now);
  const gone = all.filter((w) => !w.online && now / 1000 - w.last_heartbeat > ctx.offlineWorkerTtl);
  if (gone.length > 0) ctx.monitor.metrics.flower.removeWorkers(gone.map((w) => w.hostname));
  const goneSet = new Set(gone);
  return all.filter((w) => !goneSet.has(w)).sort((a, b) => Number(b.online) - Number(a.online) || a.hostname.localeCompare(b.hostname));
}

/** Depth of each configured queue; `null` when the queue does not exist or the broker did not answer. */
export async function queueDepths(ctx: Pick<ProbeContext, 'app' | 'ioTimeout'>, queues: readonly string[]): Promise<{ name: string; messages: number | null; consumers: number | null }[]> {
  return Promise.all(queues.map(async (name) => {
    const info = await withTimeout(ctx.app.broker.inspectQueue(name), ctx.ioTimeout, null).catch(() => null);
    return { name, messages: info?.messageCount ?? null, consumers: info?.consumerCount ?? null };
  }));
}

/** `GET /api/queues/length`: Flower's `{"active_queues": [{"name", "messages"}]}` (plus `consumers`). */
export function queuesRoute(ctx: RouterContext): Handler {
  return async (_req, res) => {
    res.json({ active_queues: await queueDepths(ctx, ctx.queues) });
  };
}

/** `GET /healthz`: 200 `{status: "ok", broker, worker}` or 503 with `reasons`. */
export function healthRoute(ctx: Pick<ProbeContext, 'app' | 'worker'>): Handler {
  return (_req, res) => {
    const report = checkHealth(ctx.app.broker, ctx.worker);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  };
}

/** `GET /metrics`: Prometheus text format. */
export function metricsRoute(ctx: ProbeContext): Handler {
  return async (_req, res) => {
    const [queues, dlqs] = await Promise.all([queueDepths(ctx, ctx.queues), queueDepths(ctx, ctx.queues.map((q) => ctx.app.topology.deadLetterQueueName(q)))]);
    const text = renderMetrics({
      metrics: ctx.monitor.metrics,
      queues,
      workersOnline: ctx.monitor.workersOnline(),
      tasksTracked: ctx.monitor.size,
      tasksTrackedBytes: ctx.monitor.bytes,
      workerCounters: workerCounters(ctx),
      brokerConnected: checkHealth(ctx.app.broker).broker.connected,
      ...(ctx.app.broker.stats ? { brokerStats: ctx.app.broker.stats() } : {}),
    }) + ctx.process.render(ctx.worker, dlqs.map((d, i) => ({ queue: ctx.queues[i]!, messages: d.messages }))).join('\n') + '\n';
    res.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  };
}

/** Counters from Celeriac workers' heartbeats, and the in-process worker's live ones (which win for its hostname). */
function workerCounters(ctx: Pick<ProbeContext, 'monitor' | 'worker'>): { worker: string; counters: Record<string, number> }[] {
  const byHost = new Map<string, Record<string, number>>();
  for (const w of ctx.monitor.workers()) if (w.counters) byHost.set(w.hostname, w.counters);
  if (ctx.worker) byHost.set(ctx.worker.hostname, { ...ctx.worker.counters.snapshot() });
  return [...byHost].map(([worker, counters]) => ({ worker, counters }));
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
