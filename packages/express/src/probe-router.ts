/**
 * `createProbeRouter()`: `/healthz` and `/metrics` alone, without the dashboard's `auth`, for
 * load-balancer probes and Prometheus scrapers (which send no credentials). Mount it where only
 * they reach it (an internal port or path); it sends nothing and changes nothing.
 *
 * ```ts
 * const tasks = createTaskRouter({ app, worker, auth: isAdmin });
 * internal.use(createProbeRouter({ app, worker, monitor: tasks.monitor }));
 * ```
 */
import type { CeleriacApp, Worker } from '@celeriac/core';
import express, { type Router } from 'express';
import { errorHandler, securityHeaders } from './guards.js';
import type { TaskMetricsOptions } from './metrics.js';
import { startMonitor } from './monitor-lifecycle.js';
import { healthRoute, metricsRoute } from './monitoring-routes.js';
import { ProcessMetrics } from './process-metrics.js';
import type { ProbeContext } from './router-context.js';
import { TaskMonitor } from './task-monitor.js';

export interface ProbeRouterOptions {
  app: CeleriacApp;
  /** An in-process worker: `/healthz` reports whether it consumes, `/metrics` its pool. */
  worker?: Worker;
  /** The task router's monitor (`router.monitor`), so both show the same counts. @defaultValue a new one, started here */
  monitor?: TaskMonitor;
  /** Queues whose depth (and dead-letter depth) `/metrics` reports. @defaultValue the app's default queue and the worker's queues */
  queues?: readonly string[];
  /** Milliseconds before a queue read is given up. @defaultValue 5000 */
  ioTimeout?: number;
  /** Milliseconds between attempts to start an own monitor when the broker is unreachable. @defaultValue 5000 */
  monitorRetryMs?: number;
  /** Histogram buckets and label limits of an own monitor. */
  metrics?: TaskMetricsOptions;
}

export type ProbeRouter = Router & {
  readonly monitor: TaskMonitor;
  /** Resolves once the monitor receives events. */
  readonly ready: Promise<void>;
  /** Stops an own monitor (a monitor passed in options is left running). */
  close(): Promise<void>;
};

export function createProbeRouter(options: ProbeRouterOptions): ProbeRouter {
  const { app, worker } = options;
  if (!app || typeof app.sendTask !== 'function') throw new TypeError('createProbeRouter(): options.app must be a Celeriac app (createApp())');
  const owned = options.monitor === undefined;
  const monitor = options.monitor ?? new TaskMonitor({ app, ...(worker ? { worker } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) });
  const ctx: ProbeContext = {
    app, monitor, worker,
    queues: options.queues ?? [...new Set([app.options.defaultQueue, ...(worker?.options.queues ?? [])])],
    ioTimeout: options.ioTimeout ?? 5000,
    process: new ProcessMetrics(app.broker),
  };
  const router = express.Router();
  router.use(securityHeaders);
  router.get('/healthz', healthRoute(ctx));
  router.get('/metrics', metricsRoute(ctx));
  router.use(errorHandler(app.logger));
  const lifecycle = owned ? startMonitor(monitor, app, { retryMs: options.monitorRetryMs ?? 5000, owned }) : { ready: Promise.resolve(), close: async () => undefined };
  return Object.assign(router, {
    monitor,
    ready: lifecycle.ready,
    async close() {
      ctx.process.close();
      await lifecycle.close();
    },
  });
}
