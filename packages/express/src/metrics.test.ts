import { describe, expect, it } from 'vitest';
import { TaskMetrics, labels, renderMetrics } from './metrics.js';

describe('TaskMetrics', () => {
  it('counts states by task and renders counters', () => {
    const m = new TaskMetrics();
    m.countState('SUCCESS', 'tasks.add');
    m.countState('SUCCESS', 'tasks.add');
    m.countState('FAILURE', null);
    expect(m.total('SUCCESS', 'tasks.add')).toBe(2);
    const text = m.render().join('\n');
    expect(text).toContain('# TYPE celeriac_tasks_total counter');
    expect(text).toContain('celeriac_tasks_total{state="SUCCESS",task="tasks.add"} 2');
    expect(text).toContain('celeriac_tasks_total{state="FAILURE",task="unknown"} 1');
  });

  it('keeps cumulative histogram buckets, sum and count', () => {
    const m = new TaskMetrics({ runtimeBuckets: [1, 0.1, 10] });
    expect(m.buckets).toEqual([0.1, 1, 10]);
    m.observeRuntime('SUCCESS', 't', 0.05);
    m.observeRuntime('SUCCESS', 't', 0.5);
    m.observeRuntime('SUCCESS', 't', 20);
    m.observeRuntime('SUCCESS', 't', Number.NaN); // ignored
    const text = m.render().join('\n');
    expect(text).toContain('celeriac_task_runtime_seconds_bucket{task="t",state="SUCCESS",le="0.1"} 1');
    expect(text).toContain('celeriac_task_runtime_seconds_bucket{task="t",state="SUCCESS",le="1"} 2');
    expect(text).toContain('celeriac_task_runtime_seconds_bucket{task="t",state="SUCCESS",le="10"} 2');
    expect(text).toContain('celeriac_task_runtime_seconds_bucket{task="t",state="SUCCESS",le="+Inf"} 3');
    expect(text).toContain('celeriac_task_runtime_seconds_sum{task="t",state="SUCCESS"} 20.55');
    expect(text).toContain('celeriac_task_runtime_seconds_count{task="t",state="SUCCESS"} 3');
  });

  it('caps distinct task names (label cardinality)', () => {
    const m = new TaskMetrics({ maxTaskNames: 2 });
    for (const n of ['a', 'b', 'c', 'd', 'a']) m.countState('SUCCESS', n);
    expect(m.total('SUCCESS', 'a')).toBe(2);
    expect(m.total('SUCCESS', 'other')).toBe(2);
  });

  it('escapes label values', () => {
    expect(labels({ task: 'a"b\\c\nd' })).toBe('{task="a\\"b\\\\c\\nd"}');
  });
});

describe('renderMetrics', () => {
  it('writes gauges for queues, workers and the broker, and ends with a newline', () => {
    const text = renderMetrics({
      metrics: new TaskMetrics(),
      queues: [{ name: 'celery', messages: 3, consumers: 1 }, { name: 'missing', messages: null, consumers: null }],
      workersOnline: 2,
      tasksTracked: 7,
      brokerConnected: true,
    });
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('# TYPE celeriac_queue_messages gauge\nceleriac_queue_messages{queue="celery"} 3');
    expect(text).not.toContain('queue="missing"');
    expect(text).toContain('celeriac_workers_online 2');
    expect(text).toContain('celeriac_tasks_tracked 7');
    expect(text).toContain('celeriac_broker_connected 1');
    expect(text).not.toContain('celeriac_broker_disconnects_total');
    // every sample line is `name{labels} value` or `name value`
    for (const line of text.trim().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/);
    }
  });

  it('writes the broker connection counters when the broker keeps them', () => {
    const text = renderMetrics({
      metrics: new TaskMetrics(), queues: [], workersOnline: 0, tasksTracked: 0, brokerConnected: true,
      brokerStats: { disconnects: 3, reconnects: 2, reconnectFailures: 7, consumerCancels: 1, undecodableHeaders: 4, lastDisconnectReason: 'x', lastDisconnectAt: 1 },
    });
    expect(text).toContain('# TYPE celeriac_broker_disconnects_total counter\nceleriac_broker_disconnects_total 3');
    expect(text).toContain('celeriac_broker_reconnects_total 2');
    expect(text).toContain('celeriac_broker_reconnect_failures_total 7');
    expect(text).toContain('celeriac_broker_consumer_cancels_total 1');
    expect(text).toContain('celeriac_broker_undecodable_headers_total 4');
  });
});

describe('worker message counters', () => {
  it('renders celeriac_worker_messages_total per worker and reason, and the tracked bytes', () => {
    const text = renderMetrics({
      metrics: new TaskMetrics(), queues: [], workersOnline: 1, tasksTracked: 2, tasksTrackedBytes: 1234, brokerConnected: true,
      workerCounters: [{ worker: 'w1@h', counters: { requeued: 3, dead_lettered: 0 } }],
    });
    expect(text).toContain('# TYPE celeriac_worker_messages_total counter');
    expect(text).toContain('celeriac_worker_messages_total{worker="w1@h",reason="requeued"} 3');
    expect(text).toContain('celeriac_worker_messages_total{worker="w1@h",reason="dead_lettered"} 0');
    expect(text).toContain('celeriac_tasks_tracked_bytes 1234');
  });
});
