/**
 * Chaos on a private Redis broker (redis-server on 127.0.0.1:6393, never the shared one, AOF on
 * so a restart keeps what was written): a worker SIGKILLed mid-load (its unacked messages come
 * back after the visibility timeout and a second worker runs them), Redis restarted mid-load,
 * and every client connection killed twice mid-load. Each scenario sends 5,000 tasks and prints
 * sent / completed / lost / duplicated.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CeleriacApp } from '../../src/index.js';
import { silent, unique, until } from '../helpers/env.js';
import { publishLoad, registerWork, report, tally } from './load.js';

const PORT = 6393;
const BROKER_URL = `redis://127.0.0.1:${PORT}/0`;
const N = Number(process.env.CHAOS_N ?? 5000);
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const CHAOS_APP = fileURLToPath(new URL('./fixtures/redis-broker-chaos-app.mjs', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'celeriac-redis-broker-'));

function startRedis(): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'yes', '--dir', dir]);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-server exited ${code}`))));
  });
}

function redisCli(...args: string[]): Promise<string> {
  return new Promise((resolve) => execFile('redis-cli', ['-p', String(PORT), ...args], (_e, out) => resolve(String(out))));
}

async function waitRedis(up: boolean): Promise<void> {
  await until(async () => (await redisCli('ping')).trim() === 'PONG' === up, 15_000, 50);
}

function redisApp(queue: string, visibilityTimeout = 3600): CeleriacApp {
  return createApp({
    broker: BROKER_URL, backend: null, defaultQueue: queue, logger: silent, controlExchange: `${queue}_ctl`, eventExchange: `${queue}_ev`,
    redisBroker: { visibilityTimeout, restoreIntervalSeconds: 0.5 },
  });
}

describe('reliability of the Redis broker under faults', () => {
  const apps: CeleriacApp[] = [];
  const track = (app: CeleriacApp) => (apps.push(app), app);

  beforeAll(async () => {
    await startRedis();
    await waitRedis(true);
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await redisCli('shutdown', 'nosave');
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('a worker SIGKILLed mid-load: its unacked tasks come back after the visibility timeout and a second worker runs them', async () => {
    const q = unique('rb_sigkill');
    const key = `chaos-${q}`;
    const redis = new Redis(BROKER_URL);
    const env = { ...process.env, CHAOS_REDIS_URL: BROKER_URL, CHAOS_QUEUE: q, CHAOS_KEY: key, CHAOS_TASK_MS: '20', CHAOS_VISIBILITY_TIMEOUT: '3' };
    const workers: ReturnType<typeof spawn>[] = [];
    const startWorker = (name: string) => {
      const child = spawn(process.execPath, [CLI, 'worker', '-A', CHAOS_APP, '-Q', q, '-c', '16', '-n', `${name}@chaos`, '--without-control'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      workers.push(child);
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      return { child, ready: until(() => out.includes('ready.'), 20_000, 20), output: () => out };
    };
    try {
      const t = tally('redis broker: worker SIGKILL mid-load');
      await publishLoad(track(redisApp(q)), t, N, 0);
      const a = startWorker('victim');
      await a.ready;
      await until(async () => Number(await redis.hlen(key)) > N / 10, 30_000, 50);
      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      const doneByA = Number(await redis.hlen(key));
      const leftUnacked = await redis.hlen('unacked');
      const b = startWorker('rescuer');
      await b.ready;
      await until(async () => Number(await redis.hlen(key)) - ((await redis.hexists(key, 'redelivered')) ? 1 : 0) >= N, 60_000, 100)
        .catch((err: unknown) => {
          throw new Error(`${(err as Error).message}; second worker said:\n${b.output().slice(-3000)}`, { cause: err });
        });
      const allDoneAfter = (Date.now() - killedAt) / 1000;
      await until(async () => (await redis.hlen('unacked')) === 0, 10_000, 100);
      const all = await redis.hgetall(key);
      const redelivered = Number(all.redelivered ?? 0);
      delete all.redelivered;
      for (const [i, n] of Object.entries(all)) t.executions.set(Number(i), Number(n));
      // duplicates: tasks the victim ran but had not acked when it died run again after the restore
      const c = report(t, { done_before_kill: doneByA, unacked_left_by_victim: leftUnacked, redelivered_to_second_worker: redelivered, seconds_to_finish_after_kill: Number(allDoneAfter.toFixed(1)) });
      expect(c.lost).toBe(0);
      expect(c.completed).toBe(N);
      expect(leftUnacked).toBeGreaterThan(0);
      expect(redelivered).toBeGreaterThan(0);
      expect(c.duplicated).toBeLessThanOrEqual(leftUnacked);
    } finally {
      for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
      await redis.del(key);
      redis.disconnect();
    }
  }, 120_000);

  it('Redis restarted mid-load: nothing lost, the worker resumes by itself', async () => {
    const q = unique('rb_restart');
    const t = tally('redis broker: redis-server restarted mid-load');
    const producer = track(redisApp(q));
    const workerApp = track(redisApp(q));
    registerWork(workerApp, t, 2);
    const worker = workerApp.worker({ concurrency: 32 });
    await worker.start();
    const load = publishLoad(producer, t, N, 5000);
    await sleep(2000);
    await redisCli('shutdown');
    await waitRedis(false);
    const downAt = Date.now();
    await sleep(1000);
    await startRedis();
    await waitRedis(true);
    const outage = (Date.now() - downAt) / 1000;
    await load;
    await until(() => t.executions.size >= t.sent.size, 60_000);
    await sleep(500);
    const c = report(t, { outage_seconds: Number(outage.toFixed(1)), reconnects: workerApp.broker.stats?.().reconnects ?? 0 });
    expect(c.sent).toBe(N);
    expect(c.lost).toBe(0);
    expect(workerApp.broker.stats?.().reconnects).toBeGreaterThan(0);
    await worker.stop();
  }, 120_000);

  it('every client connection killed twice mid-load (CLIENT KILL): nothing lost', async () => {
    const q = unique('rb_kill');
    const t = tally('redis broker: CLIENT KILL of every connection x2');
    const producer = track(redisApp(q));
    const workerApp = track(redisApp(q));
    registerWork(workerApp, t, 2);
    const worker = workerApp.worker({ concurrency: 32 });
    await worker.start();
    const load = publishLoad(producer, t, N, 5000);
    for (const at of [1500, 3500]) {
      await sleep(at === 1500 ? 1500 : 2000);
      await redisCli('client', 'kill', 'type', 'normal');
      await redisCli('client', 'kill', 'type', 'pubsub');
    }
    await load;
    await until(() => t.executions.size >= t.sent.size, 60_000);
    await sleep(500);
    const c = report(t, { reconnects: workerApp.broker.stats?.().reconnects ?? 0 });
    expect(c.sent).toBe(N);
    expect(c.lost).toBe(0);
    await worker.stop();
  }, 120_000);
});
