/**
 * What the route handlers need from the router: a small context, not the router itself.
 */
import type { CeleriacApp, Worker } from '@celeriac/core';
import type { CompiledAllowList } from './allow-list.js';
import type { TaskMonitor } from './task-monitor.js';
import type { ProcessMetrics } from './process-metrics.js';
import type { TaskHistory } from './history/task-history.js';
import type { QueueRates } from './queue-rates.js';

export interface RouterContext {
  app: CeleriacApp;
  monitor: TaskMonitor;
  /** Task names that may be sent. */
  allow: CompiledAllowList;
  /** Queues a client may choose in `options.queue`. */
  sendQueues: CompiledAllowList;
  /** Queues reported by `/api/queues/length` and `/metrics`. */
  queues: readonly string[];
  worker: Worker | undefined;
  readOnly: boolean;
  /** Milliseconds to wait for workers' replies to `inspect`. */
  inspectTimeout: number;
  /** Longest `?timeout=` (seconds) accepted by `/api/task/result/:id`. */
  maxResultWait: number;
  /** Milliseconds before a broker or backend read is given up. */
  ioTimeout: number;
  /** Event-loop lag, connection and pool metrics of this process. */
  process: ProcessMetrics;
  /** What the dashboard searches and pages (every change the monitor sees is recorded). */
  history: TaskHistory;
  queueRates: QueueRates;
  /** Seconds an offline worker stays listed. */
  offlineWorkerTtl: number;
}

/** What `/healthz` and `/metrics` need: a router's context, or a probe router's smaller one. */
export type ProbeContext = Pick<RouterContext, 'app' | 'monitor' | 'worker' | 'queues' | 'ioTimeout' | 'process'>;
