/**
 * `createTaskRouter()`: a mountable Express router with Flower's REST paths, health,
 * Prometheus metrics and a dashboard page. Mount it at a path of your choice (never `/`):
 *
 * ```ts
 * app.use('/admin/tasks', createTaskRouter({ app: celeriacApp, allow: ['reports.*'], auth: (req) => isAdmin(req) }));
 * ```
 *
 * Every request goes through the `auth` hook first; only allow-listed task names can be sent;
 * `readOnly` turns every write off.
 */
import type { CeleriacApp, Worker } from '@celeriac/core';
import express, { type Router } from 'express';
import { compileAllowList, type AllowList } from './allow-list.js';
import { renderDashboard } from './dashboard/page.js';
import { apiNotFound, authGuard, errorHandler, securityHeaders, writeGuard, type AuthHook } from './guards.js';
import type { TaskMetricsOptions } from './metrics.js';
import { healthRoute, metricsRoute, monitorRoute, queuesRoute, tasksRoute, workersRoute } from './monitoring-routes.js';
import type { RouterContext } from './router-context.js';
import { infoRoute, resultRoute, retryRoute, revokeRoute, sendTaskRoute } from './task-routes.js';
import { TaskMonitor } from './task-monitor.js';
import { startMonitor } from './monitor-lifecycle.js';
import { ProcessMetrics } from './process-metrics.js';
import { MemoryTaskHistory } from './history/memory-history.js';
import type { TaskHistory } from './history/task-history.js';
import { QueueRates } from './queue-rates.js';
import {
  deadLetterActionRoute, deadLettersRoute, graphRoute, queueStatsRoute, searchRoute, statsRoute, workerActionRoute,
} from './dashboard-routes.js';

export interface TaskRouterOptions {
  /** The Celeriac app tasks are sent with and events are read from. */
  app: CeleriacApp;
  /**
   * Runs on every request (API, health, metrics, dashboard): `true` lets it through, `false`
   * answers 401 (no `Authorization` header) or 403. `'none'` disables authentication: only
   * for a router reachable from trusted hosts alone.
   */
  auth: AuthHook | 'none';
  /** Task names (exact or globs) or a predicate: what may be sent over HTTP. @defaultValue [] (nothing) */
  allow?: AllowList;
  /** Refuse every write (send, revoke, retry) with 403. @defaultValue false */
  readOnly?: boolean;
  /** Queues a client may name in `options.queue` (exact or globs). @defaultValue [] (the app's routing decides) */
  sendQueues?: AllowList;
  /** Queues shown by `/api/queues/length`, `/metrics` and the dashboard. @defaultValue the app's default queue and the worker's queues */
  queues?: readonly string[];
  /** An in-process worker: `/healthz` reports whether it consumes, and its tasks can be retried. */
  worker?: Worker;
  /** A monitor to share between routers; the router then neither starts nor stops it. @defaultValue a new one */
  monitor?: TaskMonitor;
  /** Tasks the router's own monitor keeps. @defaultValue 10000 */
  maxTasks?: number;
  /** Estimated bytes the router's own monitor may hold for tracked tasks. @defaultValue 67108864 (64 MiB) */
  maxTrackedBytes?: number;
  /** Largest JSON body, bytes or a string such as `'100kb'`; larger ones get 413. @defaultValue '100kb' */
  bodyLimit?: number | string;
  /** Milliseconds `/api/workers` waits for workers' replies. @defaultValue 1000 */
  inspectTimeout?: number;
  /** Longest `?timeout=` (seconds) `/api/task/result/:id` waits for a result. @defaultValue 30 */
  maxResultWait?: number;
  /** Milliseconds before a queue or result read is given up (503 or `null`). @defaultValue 5000 */
  ioTimeout?: number;
  /** Serve the dashboard page at `GET /`. @defaultValue true */
  dashboard?: boolean;
  /** Milliseconds between attempts to start the monitor when the broker is unreachable. @defaultValue 5000 */
  monitorRetryMs?: number;
  /** Runtime histogram buckets and label limits for the router's own monitor. */
  metrics?: TaskMetricsOptions;
  /**
   * What the dashboard searches and pages: every task change is recorded. A
   * `RedisTaskHistory` keeps it across restarts. @defaultValue a `MemoryTaskHistory` (32 MiB, a day)
   */
  history?: TaskHistory;
  /** Seconds an offline worker stays listed (and keeps its Flower series). @defaultValue 600 */
  offlineWorkerTtl?: number;
}

/** The router, plus its monitor and lifecycle. */
export type TaskRouter = Router & {
  /** The task monitor behind `/api/tasks`, `/api/task/info` and `/metrics`. */
  readonly monitor: TaskMonitor;
  /** Resolves once the monitor receives events (rejects if it could not start; also logged). */
  readonly ready: Promise<void>;
  /** Stops the router's own monitor (a monitor passed in options is left running). */
  close(): Promise<void>;
};

const DEFAULTS = Object.freeze({
  readOnly: false,
  bodyLimit: '100kb',
  inspectTimeout: 1000,
  maxResultWait: 30,
  ioTimeout: 5000,
  dashboard: true,
  monitorRetryMs: 5000,
  offlineWorkerTtl: 600,
});

/** Builds the router; the monitor starts receiving events at once (see `ready`). */
export function createTaskRouter(options: TaskRouterOptions): TaskRouter {
  const { app, worker } = options;
  if (!app || typeof app.sendTask !== 'function') throw new TypeError('createTaskRouter(): options.app must be a Celeriac app (createApp())');
  if (options.auth !== 'none' && typeof options.auth !== 'function') {
    throw new TypeError("createTaskRouter(): options.auth is required: a function (req) => boolean | Promise<boolean>, or 'none'");
  }
  const o = { ...DEFAULTS, ...definedOnly(options) };
  const ownMonitor = options.monitor === undefined;
  const monitor = options.monitor ?? new TaskMonitor({
    app, ...(worker ? { worker } : {}), ...(options.maxTasks !== undefined ? { maxTasks: options.maxTasks } : {}),
    ...(options.maxTrackedBytes !== undefined ? { maxBytes: options.maxTrackedBytes } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  monitor.events.on('error', (err) => app.logger.warn(`celeriac router: event receiver: ${err.message}`));
  const ctx: RouterContext = {
    app, monitor, worker,
    allow: compileAllowList(options.allow),
    sendQueues: compileAllowList(options.sendQueues),
    queues: options.queues ?? [...new Set([app.options.defaultQueue, ...(worker?.options.queues ?? [])])],
    readOnly: o.readOnly,
    inspectTimeout: o.inspectTimeout,
    maxResultWait: o.maxResultWait,
    ioTimeout: o.ioTimeout,
    process: new ProcessMetrics(app.broker),
    history: options.history ?? new MemoryTaskHistory(),
    queueRates: new QueueRates(),
    offlineWorkerTtl: o.offlineWorkerTtl,
  };
  const record = (task: Parameters<TaskHistory['record']>[0]) => ctx.history.record(task);
  monitor.events.on('task', record);

  const router = express.Router();
  router.use(securityHeaders, authGuard(options.auth, app.logger));
  const write = [writeGuard(o.readOnly), express.json({ limit: o.bodyLimit, strict: true, type: 'application/json' })];
  router.post('/api/task/async-apply/:name', ...write, sendTaskRoute(ctx, true));
  router.post('/api/task/send-task/:name', ...write, sendTaskRoute(ctx, false));
  router.post('/api/task/revoke/:id', ...write, revokeRoute(ctx));
  router.post('/api/task/retry/:id', ...write, retryRoute(ctx));
  router.get('/api/task/result/:id', resultRoute(ctx));
  router.get('/api/task/info/:id', infoRoute(ctx));
  router.get('/api/tasks', tasksRoute(ctx));
  router.get('/api/workers', workersRoute(ctx));
  router.get('/api/monitor', monitorRoute(ctx));
  router.get('/api/queues/length', queuesRoute(ctx));
  router.get('/healthz', healthRoute(ctx));
  router.get('/metrics', metricsRoute(ctx));
  router.get('/api/tasks/search', searchRoute(ctx));
  router.get('/api/stats', statsRoute(ctx));
  router.get('/api/task/graph/:id', graphRoute(ctx));
  router.get('/api/queues/stats', queueStatsRoute(ctx));
  router.get('/api/dead-letters/:queue', deadLettersRoute(ctx));
  router.post('/api/dead-letters/:queue/:action', ...write, deadLetterActionRoute(ctx));
  router.post('/api/worker/:name/:action', ...write, workerActionRoute(ctx));
  if (o.dashboard) {
    router.get('/', (req, res) => {
      const page = renderDashboard({ base: req.baseUrl, readOnly: o.readOnly, queues: ctx.queues });
      res.set('Content-Security-Policy', page.csp).type('html').send(page.html);
    });
  }
  router.use('/api', apiNotFound);
  router.use(errorHandler(app.logger));

  const lifecycle = startMonitor(monitor, app, { retryMs: o.monitorRetryMs, owned: ownMonitor });
  return Object.assign(router, {
    monitor,
    ready: lifecycle.ready,
    async close() {
      ctx.process.close();
      monitor.events.off('task', record);
      await lifecycle.close();
      await ctx.history.close();
    },
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
