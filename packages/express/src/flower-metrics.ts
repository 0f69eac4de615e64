/**
 * The Prometheus series Flower exports (`flower/events.py`), with the same names, labels and
 * update rules, so Grafana dashboards and alerts written for Flower read a Celeriac router:
 *
 * | series | type | labels |
 * | --- | --- | --- |
 * | `flower_events_total` | counter | worker, type, task |
 * | `flower_task_runtime_seconds` | histogram | worker, task |
 * | `flower_task_prefetch_time_seconds` | gauge | worker, task |
 * | `flower_worker_prefetched_tasks` | gauge | worker, task |
 * | `flower_worker_online` | gauge | worker |
 * | `flower_worker_number_of_currently_executing_tasks` | gauge | worker |
 *
 * Fed with every Celery event and the task as the monitor knows it after that event. Series of
 * workers that went away are removed (`removeWorkers`), as Flower does.
 */
import type { CeleryEvent } from '@celeriac/core';
import { LabeledCounter, LabeledGauge, LabeledHistogram, PROMETHEUS_DEFAULT_BUCKETS } from './prom-series.js';

/** What the update rules need to know about the task an event is about. */
export interface FlowerTaskView {
  name: string | null;
  eta: string | null;
  received: number | null;
  started: number | null;
}

export interface FlowerMetricsOptions {
  /** Buckets of `flower_task_runtime_seconds` (Flower's `--task_runtime_metric_buckets`). @defaultValue Prometheus' default buckets */
  runtimeBuckets?: readonly number[];
  /** Distinct task names given their own label; later ones are counted as `other`. @defaultValue 500 */
  maxTaskNames?: number;
}

export class FlowerMetrics {
  readonly events = new LabeledCounter('flower_events_total', 'Number of events', ['worker', 'type', 'task']);
  readonly runtime: LabeledHistogram;
  readonly prefetchTime = new LabeledGauge('flower_task_prefetch_time_seconds', 'The time the task spent waiting at the celery worker to be executed.', ['worker', 'task']);
  readonly prefetched = new LabeledGauge('flower_worker_prefetched_tasks', 'Number of tasks of given type prefetched at a worker', ['worker', 'task']);
  readonly online = new LabeledGauge('flower_worker_online', 'Worker online status', ['worker']);
  readonly executing = new LabeledGauge('flower_worker_number_of_currently_executing_tasks', 'Number of tasks currently executing at a worker', ['worker']);
  readonly #maxNames: number;
  readonly #names = new Set<string>();

  constructor(options: FlowerMetricsOptions = {}) {
    this.runtime = new LabeledHistogram('flower_task_runtime_seconds', 'Task runtime', ['worker', 'task'], options.runtimeBuckets ?? PROMETHEUS_DEFAULT_BUCKETS);
    this.#maxNames = options.maxTaskNames ?? 500;
  }

  /** Applies one event; `task` is the task's record after the event (task events only). */
  observe(event: CeleryEvent, task: FlowerTaskView | undefined): void {
    const worker = typeof event.hostname === 'string' ? event.hostname : '';
    const type = event.type;
    if (type.startsWith('task-')) {
      const name = this.#label((typeof event.name === 'string' && event.name !== '' ? event.name : null) ?? task?.name ?? '');
      this.events.inc([worker, type, name]);
      const runtime = typeof event.runtime === 'number' ? event.runtime : 0;
      if (runtime) this.runtime.observe([worker, name], runtime);
      if (task && !task.eta) {
        if (type === 'task-received' && task.received) this.prefetched.inc([worker, name]);
        if (type === 'task-started' && task.started && task.received) {
          this.prefetchTime.set([worker, name], task.started - task.received);
          this.prefetched.inc([worker, name], -1);
        }
        if ((type === 'task-succeeded' || type === 'task-failed') && task.started && task.received) this.prefetchTime.set([worker, name], 0);
      }
    }
    if (type === 'worker-online' || type === 'worker-heartbeat') this.online.set([worker], 1);
    if (type === 'worker-heartbeat' && typeof event.active === 'number') this.executing.set([worker], event.active);
    if (type === 'worker-offline') this.online.set([worker], 0);
  }

  /** Removes every series of these workers (gone for good); returns how many workers had series. */
  removeWorkers(names: Iterable<string>): number {
    const set = new Set(names);
    const had = new Set([...this.#all()].flatMap((s) => [...s.valuesOf('worker')].filter((w) => set.has(w))));
    for (const s of this.#all()) s.removeWhere('worker', set);
    return had.size;
  }

  /** Workers that have series. */
  workers(): Set<string> {
    return new Set([...this.#all()].flatMap((s) => [...s.valuesOf('worker')]));
  }

  render(): string[] {
    return [...this.#all()].flatMap((s) => s.render());
  }

  *#all() {
    yield this.events;
    yield this.runtime;
    yield this.prefetchTime;
    yield this.prefetched;
    yield this.online;
    yield this.executing;
  }

  #label(name: string): string {
    if (this.#names.has(name)) return name;
    if (this.#names.size >= this.#maxNames) return 'other';
    this.#names.add(name);
    return name;
  }
}
