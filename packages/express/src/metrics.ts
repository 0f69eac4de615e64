/**
 * Prometheus metrics, written by hand in the text exposition format 0.0.4: task counters by
 * state and name, a runtime histogram, queue depth and online workers. `TaskMetrics` keeps
 * the numbers (fed by the `TaskMonitor`); `renderMetrics` writes them out. Pure, no I/O.
 */
import type { BrokerStats } from '@celeriac/core';

import type { CeleryEvent } from '@celeriac/core';
import { FlowerMetrics, type FlowerMetricsOptions, type FlowerTaskView } from './flower-metrics.js';
import { TaskSeries } from './task-series.js';

/** Default runtime buckets, seconds. */
export const DEFAULT_RUNTIME_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]);

export interface TaskMetricsOptions {
  /** Upper bounds of the runtime histogram buckets, seconds (`+Inf` is added). @defaultValue DEFAULT_RUNTIME_BUCKETS */
  runtimeBuckets?: readonly number[];
  /** Distinct task names given their own label; later names are counted as `task="other"`. @defaultValue 500 */
  maxTaskNames?: number;
  /** Options of the Flower-compatible series (`flower_*`). */
  flower?: FlowerMetricsOptions;
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** Counters and histograms of task activity. Monotonic: evicting tracked tasks does not lower them. */
export class TaskMetrics {
  readonly buckets: readonly number[];
  readonly #maxNames: number;
  readonly #names = new Set<string>();
  readonly #totals = new Map<string, { state: string; task: string; value: number }>();
  readonly #runtimes = new Map<string, { state: string; task: string; h: Histogram }>();
  /** The series Flower exports, fed by `observeEvent`. */
  readonly flower: FlowerMetrics;
  /** Throughput and runtime over time (the dashboard's charts), fed by `observeEvent`. */
  readonly series = new TaskSeries();

  constructor(options: TaskMetricsOptions = {}) {
    this.flower = new FlowerMetrics({ maxTaskNames: options.maxTaskNames ?? 500, ...options.flower });
    this.buckets = [...(options.runtimeBuckets ?? DEFAULT_RUNTIME_BUCKETS)].filter(Number.isFinite).sort((a, b) => a - b);
    this.#maxNames = options.maxTaskNames ?? 500;
  }

  /** Counts one task entering `state` (PENDING = sent, RECEIVED, STARTED, SUCCESS...). */
  countState(state: string, task: string | null): void {
    const name = this.#label(task);
    const key = `${state}\u0000${name}`;
    const entry = this.#totals.get(key);
    if (entry) entry.value++;
    else this.#totals.set(key, { state, task: name, value: 1 });
  }

  /** Records how long a finished task ran. */
  observeRuntime(state: string, task: string | null, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    const name = this.#label(task);
    const key = `${state}\u0000${name}`;
    let entry = this.#runtimes.get(key);
    if (!entry) {
      entry = { state, task: name, h: { counts: this.buckets.map(() => 0), sum: 0, count: 0 } };
      this.#runtimes.set(key, entry);
    }
    const { h } = entry;
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  /** Feeds one Celery event (and the task's record after it) to the Flower-compatible series. */
  observeEvent(event: CeleryEvent, task?: FlowerTaskView): void {
    this.flower.observe(event, task);
    this.series.observe(event);
  }

  /** The counter value for one state and task (for tests and custom exports). */
  total(state: string, task: string): number {
    return this.#totals.get(`${state}\u0000${task}`)?.value ?? 0;
  }

  /** Writes `celeriac_tasks_total` and `celeriac_task_runtime_seconds`. */
  render(): string[] {
    const lines = [
      '# HELP celeriac_tasks_total Tasks that entered each state (PENDING = sent), by task name.',
      '# TYPE celeriac_tasks_total counter',
    ];
    for (const e of this.#totals.values()) lines.push(`celeriac_tasks_total${labels({ state: e.state, task: e.task })} ${e.value}`);
    lines.push(
      '# HELP celeriac_task_runtime_seconds How long finished tasks ran, by task name and final state.',
      '# TYPE celeriac_task_runtime_seconds histogram',
    );
    for (const { state, task, h } of this.#runtimes.values()) {
      this.buckets.forEach((le, i) => lines.push(`celeriac_task_runtime_seconds_bucket${labels({ task, state, le: formatNumber(le) })} ${h.counts[i]}`));
      lines.push(`celeriac_task_runtime_seconds_bucket${labels({ task, state, le: '+Inf' })} ${h.count}`);
      lines.push(`celeriac_task_runtime_seconds_sum${labels({ task, state })} ${formatNumber(h.sum)}`);
      lines.push(`celeriac_task_runtime_seconds_count${labels({ task, state })} ${h.count}`);
    }
    lines.push(...this.flower.render());
    return lines;
  }

  #label(task: string | null): string {
    const name = task ?? 'unknown';
    if (this.#names.has(name)) return name;
    if (this.#names.size >= this.#maxNames) return 'other';
    this.#names.add(name);
    return name;
  }
}

export interface MetricsSnapshot {
  metrics: TaskMetrics;
  /** Queue depths; `null` for a queue that does not exist (it is left out). */
  queues: readonly { name: string; messages: number | null; consumers: number | null }[];
  workersOnline: number;
  tasksTracked: number;
  /** Estimated bytes the monitor holds for the tracked tasks. */
  tasksTrackedBytes?: number;
  /** Celeriac workers' message counters per reason (requeued, dead_lettered...), by worker hostname. */
  workerCounters?: readonly { worker: string; counters: Readonly<Record<string, number>> }[];
  brokerConnected: boolean;
  /** The broker's connection counters, when it keeps them (the AMQP broker does). */
  brokerStats?: BrokerStats;
}

const BROKER_COUNTERS: readonly [keyof BrokerStats, string, string][] = [
  ['disconnects', 'celeriac_broker_disconnects_total', 'Broker connections lost.'],
  ['reconnects', 'celeriac_broker_reconnects_total', 'Broker connections re-established after a loss.'],
  ['reconnectFailures', 'celeriac_broker_reconnect_failures_total', 'Reconnect attempts that failed.'],
  ['consumerCancels', 'celeriac_broker_consumer_cancels_total', 'Consumers the broker cancelled (consumed again).'],
  ['undecodableHeaders', 'celeriac_broker_undecodable_headers_total', 'Deliveries whose AMQP headers could not be read in full (dead-lettered).'],
];

/** The whole `/metrics` page. */
export function renderMetrics(s: MetricsSnapshot): string {
  const lines = s.metrics.render();
  lines.push('# HELP celeriac_queue_messages Messages ready in the queue.', '# TYPE celeriac_queue_messages gauge');
  for (const q of s.queues) if (q.messages !== null) lines.push(`celeriac_queue_messages${labels({ queue: q.name })} ${q.messages}`);
  lines.push('# HELP celeriac_queue_consumers Consumers of the queue.', '# TYPE celeriac_queue_consumers gauge');
  for (const q of s.queues) if (q.consumers !== null) lines.push(`celeriac_queue_consumers${labels({ queue: q.name })} ${q.consumers}`);
  lines.push(
    '# HELP celeriac_workers_online Workers whose last heartbeat has not expired.', '# TYPE celeriac_workers_online gauge',
    `celeriac_workers_online ${s.workersOnline}`,
    '# HELP celeriac_tasks_tracked Tasks held in the monitor\'s memory.', '# TYPE celeriac_tasks_tracked gauge',
    `celeriac_tasks_tracked ${s.tasksTracked}`,
    '# HELP celeriac_broker_connected 1 when the broker connection is up.', '# TYPE celeriac_broker_connected gauge',
    `celeriac_broker_connected ${s.brokerConnected ? 1 : 0}`,
  );
  for (const [key, name, help] of BROKER_COUNTERS) {
    if (s.brokerStats) lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${s.brokerStats[key] as number}`);
  }
  if (s.tasksTrackedBytes !== undefined) {
    lines.push('# HELP celeriac_tasks_tracked_bytes Estimated bytes the monitor holds for tracked tasks.', '# TYPE celeriac_tasks_tracked_bytes gauge',
      `celeriac_tasks_tracked_bytes ${s.tasksTrackedBytes}`);
  }
  lines.push(
    '# HELP celeriac_worker_messages_total Messages that did not simply run, by worker and reason (requeued, redelivered, dead_lettered, delivery_limit, decode_failed, record_failed, worker_lost, running_copy).',
    '# TYPE celeriac_worker_messages_total counter',
  );
  for (const { worker, counters } of s.workerCounters ?? []) {
    for (const [reason, value] of Object.entries(counters)) lines.push(`celeriac_worker_messages_total${labels({ worker, reason })} ${value}`);
  }
  return lines.join('\n') + '\n';
}

/** `{a="x",b="y"}` with label values escaped as the exposition format requires. */
export function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

function formatNumber(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return Number.isNaN(n) ? 'NaN' : String(n);
}
