/**
 * Two beat processes of one schedule, sharing a Redis store; the leader is killed (SIGKILL)
 * or frozen (SIGSTOP, a hung process whose TCP connections stay open). Checks that the
 * standby takes over within 10 s and that every scheduled run reaches the queue exactly once
 * (catch-up 'all' sends the runs that fell due during the takeover).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createApp, createConsoleLogger, parseCeleryDate, type CeleriacApp } from '@celeriac/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestDist } from './build-dist.js';
import { AMQP_URL, newRedis, REDIS_URL, sleep, uniqueName, until } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/beat-process.mjs', import.meta.url));
const INTERVAL = 1000;

interface Line {
  pid: number;
  at: number;
  event: string;
  scheduledAt?: number;
  missed?: boolean;
  reason?: string;
  message?: string;
}

class BeatProcess {
  readonly lines: Line[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      if (l.startsWith('{')) this.lines.push(JSON.parse(l) as Line);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
  first(event: string): Line | undefined {
    return this.lines.find((l) => l.event === event);
  }
  count(event: string): number {
    return this.lines.filter((l) => l.event === event).length;
  }
}

describe('two beat processes, one leader', () => {
  const procs: BeatProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let dist: string;

  beforeAll(async () => {
    dist = await buildTestDist();
  });

  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGCONT');
        p.child.kill('SIGKILL');
      }
    }
    await Promise.all(procs.map((p) => p.exited));
    for (const c of cleanups) await c();
  });

  /** A fresh schedule: queue, consumer of the runs' scheduled times, env for the beat processes. */
  async function setup() {
    const name = uniqueName();
    const key = `celeriac:beat:test:${name}`;
    const app: CeleriacApp = createApp({ broker: AMQP_URL, backend: null, logger: createConsoleLogger('silent') });
    await app.topology.ensureTaskQueue(name);
    const scheduled: number[] = [];
    await app.broker.consume([name], (d) => {
      scheduled.push(parseCeleryDate(String(d.properties.headers.celeriac_beat_scheduled_at)).getTime());
    }, { prefetch: 0, noAck: true });
    cleanups.push(async () => {
      await app.broker.deleteQueue(name);
      await app.broker.deleteExchange(name);
      await app.close();
      const redis = newRedis();
      await redis.del(key);
      await redis.quit();
    });
    const env = { BEAT_DIST: dist, BEAT_NAME: name, BEAT_QUEUE: name, BEAT_KEY: key, BEAT_INTERVAL_MS: String(INTERVAL), AMQP_URL, REDIS_URL };
    const start = () => {
      const p = new BeatProcess(env);
      procs.push(p);
      return p;
    };
    return { scheduled, start };
  }

  /** Each run received once; consecutive runs one interval apart, but for at most one run lost to a kill between claim and publish. */
  function expectEachRunOnce(slots: number[], sentCount: number): void {
    const sorted = [...slots].sort((x, y) => x - y);
    expect(new Set(sorted).size).toBe(sorted.length); // no run twice
    expect(sorted.length).toBe(sentCount); // every send reached the queue
    const gaps = sorted.slice(1).map((s, i) => s - sorted[i]!).filter((d) => d !== INTERVAL);
    expect(gaps.length).toBeLessThanOrEqual(1);
    if (gaps.length === 1) expect(gaps[0]).toBe(2 * INTERVAL);
  }

  it('takes over from a killed leader within 10 s and sends every run exactly once', async () => {
    const { scheduled, start } = await setup();
    const a = start();
    await until(() => a.first('active') !== undefined, 15_000, 'the first beat to lead');
    const b = start();
    await until(() => b.first('started') !== undefined, 15_000, 'the second beat to start');
    await until(() => a.count('sent') >= 3, 10_000, 'three runs from the leader');
    expect(b.first('active')).toBeUndefined(); // one leader at a time

    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    await until(() => b.first('active') !== undefined, 15_000, 'the standby to take over');
    const takeoverMs = b.first('active')!.at - killedAt;
    await until(() => b.count('sent') >= 4, 10_000, 'runs from the new leader');
    b.child.kill('SIGTERM');
    await b.exited;
    expect(b.first('stopped')).toBeDefined();
    await sleep(300); // let the last deliveries arrive

    console.log(`[leader-failover] SIGKILL: takeover ${takeoverMs} ms; ${scheduled.length} runs received ` +
      `(${a.count('sent')} from the killed leader, ${b.count('sent')} from the new one, ${b.lines.filter((l) => l.missed).length} of them catch-up)`);
    expect(takeoverMs).toBeLessThan(10_000);
    expectEachRunOnce(scheduled, a.count('sent') + b.count('sent'));
    // a run fell due while nobody led: the new leader sent it as a catch-up run
    if (takeoverMs > INTERVAL) expect(b.lines.some((l) => l.event === 'sent' && l.missed)).toBe(true);
  });

  it('takes over from a frozen leader within 10 s, and the leader does not send again when it wakes', async () => {
    const { scheduled, start } = await setup();
    const a = start();
    await until(() => a.first('active') !== undefined, 15_000, 'the first beat to lead');
    const b = start();
    await until(() => b.first('started') !== undefined, 15_000, 'the second beat to start');
    await until(() => a.count('sent') >= 2, 10_000, 'runs from the leader');

    a.child.kill('SIGSTOP'); // hung: its connections stay open, only heartbeats stop
    const frozenAt = Date.now();
    await until(() => b.first('active') !== undefined, 20_000, 'the standby to take over');
    const takeoverMs = b.first('active')!.at - frozenAt;
    await until(() => b.count('sent') >= 2, 10_000, 'runs from the new leader');
    const sentByABeforeWaking = a.count('sent');
    a.child.kill('SIGCONT');
    await until(() => a.first('standby') !== undefined, 20_000, 'the old leader to notice it lost the lock');
    await sleep(2 * INTERVAL);
    for (const p of [a, b]) p.child.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
    await sleep(300);

    console.log(`[leader-failover] SIGSTOP: takeover ${takeoverMs} ms; old leader saw "${a.first('standby')!.reason}"; ` +
      `${scheduled.length} runs received (${a.count('sent')} from the frozen leader, ${b.count('sent')} from the new one)`);
    expect(takeoverMs).toBeLessThan(10_000);
    expect(a.count('sent') - sentByABeforeWaking).toBeLessThanOrEqual(1); // at most a run it had claimed before freezing
    expectEachRunOnce(scheduled, a.count('sent') + b.count('sent'));
  });
});
