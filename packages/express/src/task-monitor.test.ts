import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type CeleriacApp, type CeleryEvent } from '@celeriac/core';
import { TaskMonitor } from './task-monitor.js';
import { eventually, silentLogger } from '../test/support.js';

const apps: CeleriacApp[] = [];
function monitorOf(options: { maxTasks?: number; maxBytes?: number; maxFieldLength?: number; maxOriginalBytes?: number } = {}): TaskMonitor {
  const app = createApp({ broker: 'memory://', backend: 'memory://', logger: silentLogger });
  apps.push(app);
  return new TaskMonitor({ app, ...options });
}
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

let clock = 1_700_000_000;
function ev(type: string, fields: Record<string, unknown> = {}): CeleryEvent {
  return { type, hostname: 'w1@host', timestamp: ++clock, ...fields };
}

describe('TaskMonitor', () => {
  it('follows a task through its events', () => {
    const m = monitorOf();
    m.handle(ev('task-received', { uuid: 't1', name: 'tasks.add', args: '(1, 2)', kwargs: '{}', retries: 0 }));
    expect(m.get('t1')).toMatchObject({ state: 'RECEIVED', name: 'tasks.add', args: '(1, 2)', worker: 'w1@host', retryable: false });
    m.handle(ev('task-started', { uuid: 't1' }));
    m.handle(ev('task-succeeded', { uuid: 't1', result: '3', runtime: 0.25 }));
    const t = m.get('t1')!;
    expect(t.state).toBe('SUCCESS');
    expect(t.result).toBe('3');
    expect(t.runtime).toBe(0.25);
    expect(t.received).toBeLessThan(t.started!);
    expect(t.started).toBeLessThan(t.succeeded!);
    expect(m.metrics.total('RECEIVED', 'tasks.add')).toBe(1);
    expect(m.metrics.total('SUCCESS', 'tasks.add')).toBe(1);
  });

  it('keeps the stronger state when a weaker event arrives late (Celery precedence)', () => {
    const m = monitorOf();
    m.handle(ev('task-started', { uuid: 't2' }));
    m.handle(ev('task-received', { uuid: 't2', name: 'tasks.x', args: '()' }));
    expect(m.get('t2')).toMatchObject({ state: 'STARTED', name: 'tasks.x', args: '()' });
    m.handle(ev('task-failed', { uuid: 't2', exception: "TypeError('boom')", traceback: 'Traceback...' }));
    m.handle(ev('task-started', { uuid: 't2' }));
    expect(m.get('t2')).toMatchObject({ state: 'FAILURE', exception: "TypeError('boom')", traceback: 'Traceback...' });
    expect(m.get('t2')!.runtime).toBeGreaterThan(0);
  });

  it('lets a retried task run again and counts every attempt', () => {
    const m = monitorOf();
    m.handle(ev('task-received', { uuid: 't3', name: 'tasks.r' }));
    m.handle(ev('task-received', { uuid: 't3', name: 'tasks.r' })); // duplicate: counted once
    m.handle(ev('task-retried', { uuid: 't3', exception: 'Retry' }));
    expect(m.get('t3')!.state).toBe('RETRY');
    m.handle(ev('task-received', { uuid: 't3', name: 'tasks.r', retries: 1 }));
    m.handle(ev('task-succeeded', { uuid: 't3', result: 'None', runtime: 0.1 }));
    expect(m.get('t3')).toMatchObject({ state: 'SUCCESS', retries: 1 });
    expect(m.metrics.total('RECEIVED', 'tasks.r')).toBe(2);
  });

  it('forgets the least recently updated tasks beyond maxTasks', () => {
    const m = monitorOf({ maxTasks: 3 });
    for (const id of ['a', 'b', 'c']) m.handle(ev('task-received', { uuid: id, name: 'n' }));
    m.handle(ev('task-started', { uuid: 'a' })); // a is now the most recent
    m.handle(ev('task-received', { uuid: 'd', name: 'n' }));
    expect(m.size).toBe(3);
    expect(m.get('b')).toBeUndefined();
    expect(m.list().map((t) => t.uuid)).toEqual(['d', 'a', 'c']);
    expect(m.list({ limit: 1 }).map((t) => t.uuid)).toEqual(['d']);
    expect(m.list({ state: 'STARTED' }).map((t) => t.uuid)).toEqual(['a']);
  });

  it('records tasks sent through the router with their original call, and links retries', () => {
    const m = monitorOf();
    const call = { name: 'tasks.add', args: [1, 'x'], kwargs: { k: true }, options: {} };
    const sent = m.recordSent('s1', call);
    expect(sent).toMatchObject({ state: 'PENDING', args: "[1, 'x']", kwargs: "{'k': True}", retryable: true });
    expect(m.original('s1')).toEqual(call);
    m.handle(ev('task-sent', { uuid: 's1', name: 'tasks.add' })); // a producer's own task-sent is not counted twice
    expect(m.metrics.total('PENDING', 'tasks.add')).toBe(1);
    m.recordSent('s2', call, { retryOf: 's1', sentAt: 1 });
    expect(m.get('s2')!.sent).toBe(1);
    expect(m.get('s1')!.retried_as).toBe('s2');
    expect(m.get('s2')!.retry_of).toBe('s1');
  });

  it('tracks workers by heartbeat and marks them offline', () => {
    const m = monitorOf();
    const now = Date.now();
    m.handle(ev('worker-online', { freq: 2, active: 0, processed: 0, sw_ident: 'py-celery', sw_ver: '5.3', loadavg: [0.1, 0.2, 0.3] }));
    m.handle({ type: 'worker-heartbeat', hostname: 'w2@host', timestamp: clock, freq: 2, active: 1, processed: 9 });
    expect(m.workersOnline(now)).toBe(2);
    expect(m.workers(now).find((w) => w.hostname === 'w1@host')).toMatchObject({ online: true, sw_ident: 'py-celery', loadavg: [0.1, 0.2, 0.3] });
    expect(m.workersOnline(now + 5000)).toBe(0); // heartbeat expired after 2 × freq
    m.handle(ev('worker-offline'));
    expect(m.workers(now).find((w) => w.hostname === 'w1@host')!.online).toBe(false);
    m.handle({ type: 'task-sent', hostname: 'producer@host', timestamp: clock, uuid: 'z' });
    expect(m.workers().map((w) => w.hostname)).not.toContain('producer@host');
  });

  it('receives events from the broker and learns original arguments from the in-process worker', async () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: silentLogger });
    apps.push(app);
    app.task('tasks.mul', (x: number, y: number) => x * y);
    const worker = app.worker({ sendEvents: true, hostname: 'mon@test' });
    const m = new TaskMonitor({ app, worker });
    await m.start();
    await m.start(); // idempotent
    await worker.start();
    const r = await app.sendTask('tasks.mul', [6, 7], {});
    await eventually(() => m.get(r.id)?.state === 'SUCCESS');
    expect(m.get(r.id)).toMatchObject({ name: 'tasks.mul', args: '[6, 7]', result: '42', worker: 'mon@test', retryable: true });
    expect(m.original(r.id)).toEqual({ name: 'tasks.mul', args: [6, 7], kwargs: {}, options: {} });
    expect(m.workers().map((w) => w.hostname)).toContain('mon@test');
    await worker.stop();
    await m.stop();
  });

  it('bounds its memory by bytes: 2,000 tasks with ~90 KB of arguments each stay under maxBytes, as the heap confirms', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const maxBytes = 8 * 1024 * 1024;
    const m = monitorOf({ maxBytes });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let t = 0; t < 2000; t++) {
      // distinct objects, so the heap really holds each task's arguments
      const rows = Array.from({ length: 1500 }, (_, i) => ({ i, tag: `t${t}-${i}` }));
      m.recordSent(`big-${t}`, { name: 'tasks.big', args: [rows], kwargs: {}, options: {} });
      m.handle(ev('task-failed', { uuid: `big-${t}`, exception: "ValueError('x')", traceback: 'T'.repeat(2000) }));
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(m.bytes).toBeLessThanOrEqual(maxBytes);
    expect(m.size).toBeLessThan(2000);
    expect(m.size).toBeGreaterThan(10);
    expect(m.get('big-1999')).toMatchObject({ state: 'FAILURE', retryable: true });
    // the estimate is rough, but the heap must stay within the same order as the bound
    expect(grown).toBeLessThan(maxBytes * 3);
  });

  it('cuts long event text and does not keep an original call larger than maxOriginalBytes', () => {
    const m = monitorOf({ maxFieldLength: 100, maxOriginalBytes: 10_000 });
    m.handle(ev('task-failed', { uuid: 'long', exception: 'E', traceback: 'x'.repeat(1_000_000), result: null }));
    expect(m.get('long')!.traceback!.length).toBeLessThanOrEqual(101);
    m.recordSent('huge', { name: 'tasks.h', args: ['y'.repeat(100_000)], kwargs: {}, options: {} });
    expect(m.get('huge')!.retryable).toBe(false);
    expect(m.original('huge')).toBeUndefined();
    m.recordSent('small', { name: 'tasks.h', args: [1], kwargs: {}, options: {} });
    expect(m.get('small')!.retryable).toBe(true);
  });

  it("reads a Celeriac worker's message counters from its heartbeats, and ignores malformed ones", () => {
    const m = monitorOf();
    m.handle(ev('worker-heartbeat', { freq: 2, x_celeriac_counters: { requeued: 2, dead_lettered: 5, 'bad key\n': 1, record_failed: -1 } }));
    expect(m.workers()[0]!.counters).toEqual({ requeued: 2, dead_lettered: 5 });
    m.handle({ type: 'worker-heartbeat', hostname: 'py@host', timestamp: clock, freq: 2, x_celeriac_counters: 'nope' });
    expect(m.workers().find((w) => w.hostname === 'py@host')!.counters).toBeNull();
  });
});
