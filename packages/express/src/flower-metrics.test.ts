import { describe, expect, it } from 'vitest';
import type { CeleryEvent } from '@celeriac/core';
import { FlowerMetrics, type FlowerTaskView } from './flower-metrics.js';

const ev = (type: string, fields: Partial<CeleryEvent> = {}): CeleryEvent => ({ type, hostname: 'w1@h', timestamp: 100, ...fields });

describe('FlowerMetrics', () => {
  it("follows Flower's update rules through a task's life, as a Python worker reports it", () => {
    const m = new FlowerMetrics();
    const task: FlowerTaskView = { name: 'tasks.add', eta: null, received: null, started: null };
    m.observe(ev('worker-online'), undefined);
    m.observe(ev('worker-heartbeat', { active: 3 }), undefined);
    task.received = 100;
    m.observe(ev('task-received', { uuid: 'a', name: 'tasks.add' }), task);
    expect(m.prefetched.get(['w1@h', 'tasks.add'])).toBe(1);
    task.started = 100.25;
    m.observe(ev('task-started', { uuid: 'a' }), task); // no name in the event: taken from the task
    expect(m.prefetchTime.get(['w1@h', 'tasks.add'])).toBe(0.25);
    expect(m.prefetched.get(['w1@h', 'tasks.add'])).toBe(0);
    m.observe(ev('task-succeeded', { uuid: 'a', runtime: 0.3 }), task);
    expect(m.prefetchTime.get(['w1@h', 'tasks.add'])).toBe(0);
    m.observe(ev('worker-offline'), undefined);
    const text = m.render().join('\n');
    expect(text).toContain('flower_events_total{worker="w1@h",type="task-received",task="tasks.add"} 1');
    expect(text).toContain('flower_events_total{worker="w1@h",type="task-started",task="tasks.add"} 1');
    expect(text).toContain('flower_events_total{worker="w1@h",type="task-succeeded",task="tasks.add"} 1');
    expect(text).toContain('flower_task_runtime_seconds_bucket{worker="w1@h",task="tasks.add",le="0.5"} 1');
    expect(text).toContain('flower_task_runtime_seconds_bucket{worker="w1@h",task="tasks.add",le="0.25"} 0');
    expect(text).toContain('flower_task_runtime_seconds_count{worker="w1@h",task="tasks.add"} 1');
    expect(text).toContain('flower_worker_online{worker="w1@h"} 0');
    expect(text).toContain('flower_worker_number_of_currently_executing_tasks{worker="w1@h"} 3');
    expect(text).toContain('# TYPE flower_task_prefetch_time_seconds gauge');
    expect(text).not.toMatch(/flower_events_total\{[^}]*type="worker-/); // Flower counts task events only
  });

  it('leaves ETA tasks out of the prefetch gauges and counts a nameless event with an empty task label', () => {
    const m = new FlowerMetrics();
    m.observe(ev('task-received', { uuid: 'b', name: 'later' }), { name: 'later', eta: '2030-01-01T00:00:00+00:00', received: 1, started: null });
    expect(m.prefetched.get(['w1@h', 'later'])).toBeUndefined();
    m.observe(ev('task-failed', { uuid: 'c' }), undefined);
    expect(m.events.get(['w1@h', 'task-failed', ''])).toBe(1);
  });

  it('removes the series of workers that went away, and caps task names', () => {
    const m = new FlowerMetrics({ maxTaskNames: 1 });
    m.observe(ev('worker-heartbeat', { hostname: 'gone@h', active: 0 }), undefined);
    m.observe(ev('task-succeeded', { hostname: 'gone@h', uuid: 'x', name: 'a', runtime: 1 }), undefined);
    m.observe(ev('task-succeeded', { hostname: 'stays@h', uuid: 'y', name: 'b', runtime: 1 }), undefined);
    expect(m.events.get(['stays@h', 'task-succeeded', 'other'])).toBe(1);
    expect(m.removeWorkers(['gone@h'])).toBe(1);
    expect([...m.workers()]).toEqual(['stays@h']);
    expect(m.render().join('\n')).not.toContain('gone@h');
  });
});
