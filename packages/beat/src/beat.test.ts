import { createApp, createConsoleLogger, TypedEmitter, type CeleriacApp, type Delivery } from '@celeriac/core';
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Beat, createBeat } from './beat.js';
import type { BeatOptions } from './beat-options.js';
import type { SentRun } from './beat-events.js';
import { ScheduleConfigError } from './errors.js';
import type { LeaderLock, LeaderLockEvents } from './leader/leader-lock.js';
import { LocalLock } from './leader/local-lock.js';
import { at } from './schedules/at.js';
import { every } from './schedules/every.js';
import { MemoryStore } from './store/memory-store.js';
import type { EntryState, ScheduleStore } from './store/schedule-store.js';

const silent = createConsoleLogger('silent');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function memoryApp(): Promise<{ app: CeleriacApp; deliveries: Delivery[] }> {
  const app = createApp({ broker: 'memory://', backend: null, logger: silent });
  await app.topology.ensureTaskQueue('celery');
  const deliveries: Delivery[] = [];
  await app.broker.consume(['celery'], (d) => deliveries.push(d), { prefetch: 0, noAck: true });
  cleanups.push(() => app.close());
  return { app, deliveries };
}

function beatOn(app: CeleriacApp, options: BeatOptions): Beat {
  const beat = createBeat(app, { lock: new LocalLock(), store: new MemoryStore(), logger: silent, ...options });
  cleanups.push(() => beat.stop());
  return beat;
}

function collect(beat: Beat): SentRun[] {
  const sent: SentRun[] = [];
  beat.events.on('sent', (r) => sent.push(r));
  return sent;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lock the test hands from one beat to another. */
class ManualLock implements LeaderLock {
  readonly events = new TypedEmitter<LeaderLockEvents>();
  isLeader = false;
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.set(false);
  }
  set(leader: boolean): void {
    if (leader === this.isLeader) return;
    this.isLeader = leader;
    if (leader) this.events.emit('acquired');
    else this.events.emit('lost', 'handed over');
  }
}

describe('Beat', () => {
  it('sends ordinary Celery task messages with the entry args, kwargs and options', async () => {
    const { app, deliveries } = await memoryApp();
    const beat = beatOn(app, {
      schedule: { add: { task: 'tasks.add', schedule: every(60), args: [1, 2], kwargs: { z: 3 }, options: { priority: 5, expires: 30 } } },
    });
    const sent = collect(beat);
    await beat.start();
    await until(() => deliveries.length >= 2);
    await beat.stop();
    const { headers, properties } = { headers: deliveries[0]!.properties.headers, properties: deliveries[0]!.properties };
    const [args, kwargs, embed] = JSON.parse(deliveries[0]!.body.toString('utf8')) as unknown[];
    expect(headers.task).toBe('tasks.add');
    expect(headers.lang).toBe('py');
    expect([args, kwargs]).toEqual([[1, 2], { z: 3 }]);
    expect(embed).toMatchObject({ callbacks: null, errbacks: null });
    expect(typeof headers.expires).toBe('string');
    expect(properties.priority).toBe(5);
    expect(properties.contentType).toBe('application/json');
    expect(headers).not.toHaveProperty('celeriac_beat_entry'); // exactly Celery's headers by default
    expect(sent[0]!.taskId).toBe(headers.id);
    expect(sent[1]!.scheduledAt.getTime() - sent[0]!.scheduledAt.getTime()).toBe(60);
  });

  it('adds the entry name and scheduled time as headers with runHeaders', async () => {
    const { app, deliveries } = await memoryApp();
    const beat = beatOn(app, { runHeaders: true, schedule: { tick: { task: 't', schedule: every(50), options: { headers: { mine: 1 } } } } });
    const sent = collect(beat);
    await beat.start();
    await until(() => deliveries.length >= 1);
    await beat.stop();
    const headers = deliveries[0]!.properties.headers;
    expect(headers.celeriac_beat_entry).toBe('tick');
    expect(headers.mine).toBe(1);
    expect(Date.parse(String(headers.celeriac_beat_scheduled_at))).toBe(sent[0]!.scheduledAt.getTime());
  });

  it('restarting neither runs again what ran nor drops what fell due meanwhile (catch-up once)', async () => {
    const { app } = await memoryApp();
    const store = new MemoryStore();
    const first = beatOn(app, { store, schedule: { e: { task: 't', schedule: every(100) } } });
    const before = collect(first);
    await first.start();
    await until(() => before.length >= 2);
    await first.stop();
    const stoppedAt = Date.now();
    await sleep(350); // three runs fall due while no beat runs

    const second = beatOn(app, { store, schedule: { e: { task: 't', schedule: every(100) } } });
    const after = collect(second);
    await second.start();
    await until(() => after.length >= 2);
    await second.stop();
    const last = before.at(-1)!.scheduledAt.getTime();
    expect(after[0]!.missed).toBe(true);
    expect(after[0]!.scheduledAt.getTime()).toBeGreaterThan(stoppedAt); // the latest missed run, once
    expect((after[0]!.scheduledAt.getTime() - last) % 100).toBe(0); // on the same phase
    expect(after[1]!.scheduledAt.getTime() - after[0]!.scheduledAt.getTime()).toBe(100);
    expect(after[1]!.missed).toBe(false);
    const count = (await store.load()).get('e')!.totalRunCount;
    expect(count).toBe(before.length + after.length);
  });

  it("drops missed runs with catchUp 'skip' and says so", async () => {
    const { app } = await memoryApp();
    const store = new MemoryStore();
    await store.claim('e', undefined, { lastRunAt: Date.now() - 1050, totalRunCount: 7 }); // runs fell due up to 50 ms ago
    const beat = beatOn(app, { store, catchUp: 'skip', schedule: { e: { task: 't', schedule: every(200) } } });
    const sent = collect(beat);
    const skipped: number[] = [];
    beat.events.on('skipped', (r) => skipped.push(r.scheduledAt.getTime()));
    await beat.start();
    await until(() => sent.length >= 1);
    await beat.stop();
    expect(skipped).toHaveLength(1);
    expect(sent[0]!.missed).toBe(false);
    expect(sent[0]!.scheduledAt.getTime() - skipped[0]!).toBe(200);
  });

  it('sends a past one-off once, and never again after a restart', async () => {
    const { app, deliveries } = await memoryApp();
    const store = new MemoryStore();
    const schedule = { once: { task: 'one.off', schedule: at(Date.now() - 60_000) } };
    const a = beatOn(app, { store, schedule });
    await a.start();
    await until(() => deliveries.length === 1);
    await a.stop();
    const b = beatOn(app, { store, schedule });
    await b.start();
    await sleep(200);
    await b.stop();
    expect(deliveries).toHaveLength(1);
  });

  it('stops sending when it loses the lock, and a new leader goes on from the shared store', async () => {
    const { app } = await memoryApp();
    const store = new MemoryStore();
    const lockA = new ManualLock();
    const lockB = new ManualLock();
    const schedule = { e: { task: 't', schedule: every(50), catchUp: 'all' as const } };
    const a = beatOn(app, { store, lock: lockA, schedule });
    const b = beatOn(app, { store, lock: lockB, schedule });
    const sentA = collect(a);
    const sentB = collect(b);
    await a.start();
    await b.start();
    lockA.set(true);
    await until(() => sentA.length >= 3);
    lockA.set(false);
    expect(a.state).toBe('standby');
    const countA = sentA.length;
    await sleep(180); // nobody leads: runs fall due
    lockB.set(true);
    await until(() => sentB.length >= 6);
    expect(sentA.length).toBe(countA);
    const times = [...sentA, ...sentB].map((r) => r.scheduledAt.getTime());
    expect(new Set(times).size).toBe(times.length); // no run twice
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(50); // none lost with 'all'
    expect(sentB[0]!.missed).toBe(true);
  });

  it('two beats that both think they lead still send each run once (the store claim decides)', async () => {
    const { app } = await memoryApp();
    const store = new MemoryStore();
    const schedule = { e: { task: 't', schedule: every(40) } };
    const a = beatOn(app, { store, schedule });
    const b = beatOn(app, { store, schedule });
    const sent = [...collect(a)];
    b.events.on('sent', (r) => sent.push(r));
    a.events.on('sent', (r) => sent.push(r));
    await Promise.all([a.start(), b.start()]);
    await sleep(500);
    await Promise.all([a.stop(), b.stop()]);
    const times = sent.map((r) => r.scheduledAt.getTime());
    expect(times.length).toBeGreaterThanOrEqual(8);
    expect(new Set(times).size).toBe(times.length);
  });

  it('picks up entries added while it runs', async () => {
    const { app, deliveries } = await memoryApp();
    const beat = beatOn(app, { maxIntervalMs: 60_000, schedule: {} });
    await beat.start();
    await sleep(50);
    beat.addEntry('late', { task: 'added.later', schedule: at(Date.now() - 10) });
    await until(() => deliveries.length === 1, 2000);
    expect(beat.entries().map((e) => e.name)).toEqual(['late']);
    expect(beat.removeEntry('late')).toBe(true);
  });

  it('reports store errors and carries on', async () => {
    const { app } = await memoryApp();
    const inner = new MemoryStore();
    let failures = 2;
    const flaky: ScheduleStore = {
      load: () => (failures-- > 0 ? Promise.reject(new Error('store down')) : inner.load()),
      claim: (n: string, e: EntryState | undefined, x: EntryState) => inner.claim(n, e, x),
      remove: (n: readonly string[]) => inner.remove(n),
      close: () => inner.close(),
    };
    const beat = beatOn(app, { store: flaky, errorRetryMs: 20, schedule: { e: { task: 't', schedule: every(30) } } });
    const errors: Error[] = [];
    beat.events.on('error', (e) => errors.push(e));
    const sent = collect(beat);
    await beat.start();
    await until(() => sent.length >= 1);
    expect(errors.map((e) => e.message)).toEqual(['store down', 'store down']);
  });

  it('stops even when a send waits forever for the broker', async () => {
    const { app } = await memoryApp();
    let attempts = 0;
    app.sendTask = () => {
      attempts++;
      return new Promise(() => undefined);
    };
    const beat = beatOn(app, { stopTimeoutMs: 100, schedule: { e: { task: 't', schedule: every(20) } } });
    await beat.start();
    await until(() => attempts === 1);
    const t0 = Date.now();
    await beat.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(beat.state).toBe('stopped');
  });

  it('reports the state it is in', async () => {
    const { app } = await memoryApp();
    const lock = new ManualLock();
    const beat = beatOn(app, { lock, schedule: { e: { task: 't', schedule: every(1000) } } });
    const states: string[] = [];
    beat.events.on('state', (s) => states.push(s));
    await beat.start();
    lock.set(true);
    await until(() => beat.isActive);
    await until(() => beat.entries()[0]!.nextRunAt !== null);
    await beat.stop();
    expect(states).toEqual(['standby', 'active', 'stopping', 'stopped']);
    await expect(beat.start()).rejects.toBeInstanceOf(ScheduleConfigError);
  });

  it('rejects a bad schedule when it is built', async () => {
    const { app } = await memoryApp();
    const bad = (options: BeatOptions) => () => new Beat(app, { store: new MemoryStore(), ...options });
    expect(bad({ schedule: { x: { task: '', schedule: every(1) } } })).toThrow(/"task"/);
    expect(bad({ schedule: { x: { task: 't', schedule: 10 as never } } })).toThrow(ScheduleConfigError);
    expect(bad({ schedule: { x: { task: 't', schedule: every(1), args: 'no' as never } } })).toThrow(/"args"/);
    expect(bad({ timezone: 'Mars/Olympus' })).toThrow(ScheduleConfigError);
    expect(bad({ catchUp: 'twice' as never })).toThrow(ScheduleConfigError);
    expect(bad({ name: 'a b' })).toThrow(ScheduleConfigError);
  });

  it('uses a local lock on the memory broker and a file store in the working directory by default', async () => {
    const { app, deliveries } = await memoryApp();
    const name = `beat-test-${process.pid}-${Date.now()}`;
    const file = resolve(process.cwd(), `celeriac-beat-state.${name}.json`);
    cleanups.push(() => rm(file, { force: true }));
    const beat = new Beat(app, { name, logger: silent, schedule: { once: { task: 't', schedule: at(Date.now() - 1) } } });
    await beat.start();
    await until(() => deliveries.length === 1);
    await beat.stop();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, entries: { once: { totalRunCount: 1 } } });
  });
});
