/**
 * Metrics of the process and its connections, beside the task metrics: event-loop lag, the
 * broker connection's state (its loss counters come from `broker.stats()`), the in-process worker's pool (size,
 * busy, reserved, scheduled), and dead-letter queue depth and the dashboard's actions on it.
 *
 * The pool series are labelled by worker (and implementation): with `-P threads` / `-P processes`
 * the size is the number of children, busy the children running a task.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Broker, BrokerState, Worker } from '@celeriac/core';
import { labels } from './metrics.js';
import { LabeledCounter } from './prom-series.js';

const BROKER_STATES: readonly BrokerState[] = ['idle', 'connecting', 'ready', 'reconnecting', 'closing', 'closed'];

export class ProcessMetrics {
  /** Dead-lettered messages the dashboard sent back to their queue, or deleted. */
  readonly deadLetterActions = new LabeledCounter('celeriac_dead_letter_actions_total', 'Dead-lettered messages requeued or deleted from the dashboard.', ['queue', 'action']);
  readonly #lag: IntervalHistogram;
  readonly #broker: Broker;

  constructor(broker: Broker) {
    this.#broker = broker;
    this.#lag = monitorEventLoopDelay({ resolution: 10 });
    this.#lag.enable();
  }

  /** The series, at this moment; the event-loop lag covers the time since the last call. */
  render(worker: Worker | undefined, deadLetters: readonly { queue: string; messages: number | null }[]): string[] {
    const ns = (v: number) => (Number.isFinite(v) ? v / 1e9 : 0);
    const lines = [
      '# HELP celeriac_event_loop_lag_seconds Event-loop delay of this process since the last scrape (quantiles and max).',
      '# TYPE celeriac_event_loop_lag_seconds gauge',
      `celeriac_event_loop_lag_seconds{quantile="0.5"} ${ns(this.#lag.percentile(50))}`,
      `celeriac_event_loop_lag_seconds{quantile="0.99"} ${ns(this.#lag.percentile(99))}`,
      `celeriac_event_loop_lag_seconds{quantile="1"} ${ns(this.#lag.max)}`,
      '# HELP celeriac_broker_state 1 for the state the broker connection is in.', '# TYPE celeriac_broker_state gauge',
      ...BROKER_STATES.map((s) => `celeriac_broker_state${labels({ state: s })} ${this.#broker.state === s ? 1 : 0}`),
    ];
    this.#lag.reset();
    const buffered = (this.#broker as { liveness?: () => { buffered?: number } }).liveness?.().buffered;
    if (typeof buffered === 'number') {
      lines.push('# HELP celeriac_broker_buffered_publishes Publishes waiting for the broker connection.', '# TYPE celeriac_broker_buffered_publishes gauge',
        `celeriac_broker_buffered_publishes ${buffered}`);
    }
    if (worker) {
      const w = labels({ worker: worker.hostname });
      const pool = worker.pool.stats();
      const lag = worker.eventLoopLag();
      lines.push(
        '# HELP celeriac_worker_pool_size Tasks the in-process worker runs at once (threads or processes in its pool).', '# TYPE celeriac_worker_pool_size gauge',
        `celeriac_worker_pool_size${w} ${pool.size}`,
        '# HELP celeriac_worker_pool_busy Tasks the in-process worker is running.', '# TYPE celeriac_worker_pool_busy gauge',
        `celeriac_worker_pool_busy${w} ${worker.active.size}`,
        '# HELP celeriac_worker_pool_info The pool implementation of the in-process worker (-P).', '# TYPE celeriac_worker_pool_info gauge',
        `celeriac_worker_pool_info${labels({ worker: worker.hostname, implementation: pool.implementation })} 1`,
        '# HELP celeriac_worker_pool_children_total Pool threads or processes by what happened to them: started, recycled, lost (died under a task), killed (hard limit, revoke).',
        '# TYPE celeriac_worker_pool_children_total counter',
        ...(['started', 'recycled', 'lost', 'killed'] as const).map((k) => `celeriac_worker_pool_children_total${labels({ worker: worker.hostname, event: k })} ${pool[k]}`),
        '# HELP celeriac_worker_event_loop_blocks_total Blocks of the worker\'s event loop longer than its blockedLoopThresholdMs.', '# TYPE celeriac_worker_event_loop_blocks_total counter',
        `celeriac_worker_event_loop_blocks_total${w} ${lag.blocks}`,
        '# HELP celeriac_worker_reserved_tasks Tasks received and waiting for a free slot.', '# TYPE celeriac_worker_reserved_tasks gauge',
        `celeriac_worker_reserved_tasks${w} ${worker.reserved.length}`,
        '# HELP celeriac_worker_scheduled_tasks ETA tasks held until they are due.', '# TYPE celeriac_worker_scheduled_tasks gauge',
        `celeriac_worker_scheduled_tasks${w} ${worker.scheduled.size}`,
      );
    }
    lines.push('# HELP celeriac_dead_letter_messages Messages waiting in the dead-letter queue of a task queue.', '# TYPE celeriac_dead_letter_messages gauge');
    for (const d of deadLetters) if (d.messages !== null) lines.push(`celeriac_dead_letter_messages${labels({ queue: d.queue })} ${d.messages}`);
    lines.push(...this.deadLetterActions.render());
    return lines;
  }

  close(): void {
    this.#lag.disable();
  }
}
