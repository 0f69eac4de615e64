// @celeriac/express — middleware, a Flower-style task REST router, health, metrics and a dashboard.

// middleware: req.celeriac
export { celeriac, type CeleriacMiddlewareOptions } from './middleware.js';

// SIGTERM: drain HTTP and the in-process worker, then close
export { gracefulShutdown, type GracefulShutdown, type GracefulShutdownOptions } from './graceful-shutdown.js';

// the router
export { createTaskRouter, type TaskRouter, type TaskRouterOptions } from './create-task-router.js';
export type { AuthHook } from './guards.js';
export { compileAllowList, isValidTaskId, isValidTaskName, type AllowList, type CompiledAllowList } from './allow-list.js';
export { parseSendRequest, toApplyOptions, type HttpSendOptions, type SendRequest, type SendPolicy } from './parse-send-request.js';
export { exceptionRepr } from './task-routes.js';

// monitoring
export {
  TaskMonitor,
  type TaskMonitorOptions, type TaskMonitorEvents, type TaskFilter, type TrackedTask, type TrackedWorker, type OriginalCall,
} from './task-monitor.js';
export { TaskMetrics, renderMetrics, DEFAULT_RUNTIME_BUCKETS, type TaskMetricsOptions, type MetricsSnapshot } from './metrics.js';
export { checkHealth, type HealthReport, type BrokerHealth, type WorkerHealth } from './health.js';
export { createProbeRouter, type ProbeRouter, type ProbeRouterOptions } from './probe-router.js';
export { FlowerMetrics, type FlowerMetricsOptions, type FlowerTaskView } from './flower-metrics.js';
export { ProcessMetrics } from './process-metrics.js';
export { LabeledCounter, LabeledGauge, LabeledHistogram, PROMETHEUS_DEFAULT_BUCKETS } from './prom-series.js';
export { MemoryTaskHistory } from './history/memory-history.js';
export { RedisTaskHistory, type RedisTaskHistoryOptions, type HistoryRedisClient } from './history/redis-history.js';
export { matchesQuery, type TaskHistory, type HistoryQuery, type HistoryPage, type HistoryBounds } from './history/task-history.js';
export { TaskSeries, type SeriesPoint } from './task-series.js';
export { peekDeadLetters, actOnDeadLetter, type DeadLetter, type DeadLetterPage, type DeadLetterAction } from './dead-letters.js';
export { renderDashboard, type DashboardPage, type DashboardPageOptions } from './dashboard/page.js';

// errors
export { HttpError, HttpErrorCode, toHttpError } from './errors.js';
