/**
 * Chaos on a private RabbitMQ node (never the machine's main broker): connections closed
 * under load, the broker restarted under load, a worker SIGKILLed mid-task, publishing
 * during an outage (bounded buffer), and a countdown longer than the consumer timeout.
 * Each scenario sends at least 5,000 tasks and prints sent / completed / lost / duplicated.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferFullError, type CeleriacApp } from '../../src/index.js';
import { REDIS_URL, unique, until } from '../helpers/env.js';
import { chaosApp, publishLoad, registerWork, report, tally } from './load.js';
import { startRabbitNode, type RabbitNode } from './rabbit-node.js';

const N = Number(process.env.CHAOS_N ?? 5000);
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const CHAOS_APP = fileURLToPath(new URL('./fixtures/chaos-app.mjs', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reliability under broker faults', () => {
  let node: RabbitNode;
  const apps: CeleriacApp[] = [];
  const track = (app: CeleriacApp) => (apps.push(app), app);

  beforeAll(async () => {
    node = await startRabbitNode({
      name: 'celeriac_chaos', port: 5700,
      config: 'consumer_timeout = 4000',
      advanced: '[{rabbit, [{channel_tick_interval, 1000}]}]',
    });
  }, 120_000);

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await node?.stop();
  }, 60_000);

  /** Watches a worker and records how long it takes to get a delivery again after `since`. */
  async function resumeTime(lastDelivery: () => number | null, since: number): Promise<number> {
    await until(() => (lastDelivery() ?? 0) > since, 30_000, 10);
    return (lastDelivery()! - since) / 1000;
  }

  it('rabbitmqctl close_all_connections twice during the load: nothing lost, worker resumes within 5 s', async () => {
    const q = unique('close');
    const t = tally('close_all_connections x2');
    const producer = track(chaosApp(node.url, q));
    const workerApp = track(chaosApp(node.url, q));
    registerWork(workerApp, t);
    const worker = workerApp.worker({ concurrency: 32 });
    await worker.start();
    const started = Date.now();
    const load = publishLoad(producer, t, N, 6000);
    const resumes: number[] = [];
    for (const at of [1500, 3500]) {
      await sleep(Math.max(0, started + at - Date.now()));
      const closedAt = Date.now();
      await node.ctl('close_all_connections', 'celeriac chaos test');
      resumes.push(await resumeTime(() => worker.liveness().lastDeliveryAt, closedAt));
    }
    await load;
    await until(() => t.executions.size >= t.sent.size, 60_000);
    await sleep(500);
    const c = report(t, { resume_seconds: resumes });
    expect(c.sent).toBe(N);
    expect(c.lost).toBe(0);
    expect(resumes.every((s) => s < 5)).toBe(true);
    await worker.stop();
  }, 180_000);

  it('RabbitMQ restarted (stop_app / start_app) during the load: nothing lost', async () => {
    const q = unique('restart');
    const t = tally('stop_app/start_app');
    const producer = track(chaosApp(node.url, q));
    const workerApp = track(chaosApp(node.url, q));
    registerWork(workerApp, t);
    const worker = workerApp.worker({ concurrency: 32 });
    await worker.start();
    const load = publishLoad(producer, t, N, 6000);
    await sleep(1500);
    await node.ctl('stop_app');
    const stoppedAt = Date.now();
    await sleep(2000);
    await node.ctl('start_app');
    const resume = await resumeTime(() => worker.liveness().lastDeliveryAt, stoppedAt + 2000);
    await load;
    await until(() => t.executions.size >= t.sent.size, 90_000);
    await sleep(500);
    const c = report(t, { outage_seconds: 2, resume_after_start_app_seconds: resume });
    expect(c.sent).toBe(N);
    expect(c.publishFailures).toBe(0);
    expect(c.lost).toBe(0);
    await worker.stop();
  }, 180_000);

  it('a worker killed with SIGKILL mid-task: its unacked tasks are redelivered and completed by a second worker', async () => {
    const q = unique('sigkill');
    const key = `celeriac-chaos-${q}`;
    const redis = new Redis(REDIS_URL);
    const env = { ...process.env, CHAOS_AMQP_URL: node.url, CHAOS_QUEUE: q, CHAOS_KEY: key, REDIS_URL, CHAOS_TASK_MS: '20' };
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
      const producer = track(chaosApp(node.url, q));
      const t = tally('worker SIGKILL mid-task');
      await publishLoad(producer, t, N, 0);
      const a = startWorker('victim');
      await a.ready;
      await until(async () => Number(await redis.hlen(key)) > N / 10, 30_000, 50);
      a.child.kill('SIGKILL');
      const doneByA = Number(await redis.hlen(key));
      const b = startWorker('rescuer');
      await b.ready;
      await until(async () => Number(await redis.hlen(key)) - ((await redis.hexists(key, 'redelivered')) ? 1 : 0) >= N, 120_000, 100)
        .catch(async (err: unknown) => {
          const queues = await node.ctl('list_queues', 'name', 'messages_ready', 'messages_unacknowledged', 'consumers').catch((e: Error) => e.message);
          throw new Error(`${(err as Error).message}; ${await redis.hlen(key)} recorded; queues:\n${queues}\nsecond worker said:\n${b.output().slice(-3000)}`, { cause: err });
        });
      await sleep(500);
      const all = await redis.hgetall(key);
      const redelivered = Number(all.redelivered ?? 0);
      delete all.redelivered;
      for (const [i, n] of Object.entries(all)) t.executions.set(Number(i), Number(n));
      const c = report(t, { done_before_kill: doneByA, redelivered_to_second_worker: redelivered });
      expect(c.lost).toBe(0);
      expect(c.completed).toBe(N);
      expect(redelivered).toBeGreaterThan(0);
    } finally {
      for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
      await redis.del(key);
      redis.disconnect();
    }
  }, 240_000);

  it('publishing during an outage: buffered publishes go out after reconnect; a full buffer fails fast with no phantom "sent"', async () => {
    const q = unique('outage');
    const producer = track(chaosApp(node.url, q));
    const tiny = track(chaosApp(node.url, `${q}_tiny`, { maxBuffer: 10 }));
    await producer.topology.ensureTaskQueue(q);
    await tiny.topology.ensureTaskQueue(`${q}_tiny`);
    await node.ctl('stop_app');
    const t = tally('publish during outage (buffer 20000)');
    const buffered = publishLoad(producer, t, N, 0, N);
    let tinyOk = 0;
    let tinyFull = 0;
    let tinyOther = 0;
    const tinyLoad = Array.from({ length: 100 }, (_, i) => tiny.sendTask('chaos.work', [i]).then(
      () => void tinyOk++,
      (err: unknown) => void (err instanceof BufferFullError ? tinyFull++ : tinyOther++),
    ));
    await sleep(1000);
    expect(t.sent.size).toBe(0);             // nothing is reported sent while the broker is down
    expect(tinyFull).toBe(90);               // beyond the buffer: immediate BufferFullError
    await node.ctl('start_app');
    await buffered;
    await Promise.all(tinyLoad);
    // count what really reached the queues by running it
    const workerApp = track(chaosApp(node.url, q));
    registerWork(workerApp, t);
    const worker = workerApp.worker({ queues: [q], concurrency: 32 });
    await worker.start();
    await until(() => t.executions.size >= N, 60_000);
    await until(async () => (await workerApp.broker.inspectQueue(`${q}_tiny`))?.messageCount === tinyOk, 10_000);
    const c = report(t, { tiny_buffer_sent: tinyOk, tiny_buffer_full_errors: tinyFull, tiny_other_errors: tinyOther, tiny_in_queue: tinyOk });
    expect(c.sent).toBe(N);
    expect(c.lost).toBe(0);
    expect(tinyOk).toBe(10);
    expect(tinyOther).toBe(0);
    await worker.stop();
    await workerApp.broker.purgeQueue(`${q}_tiny`);
  }, 180_000);

  it('a countdown longer than the consumer timeout completes and the broker closes no channel', async () => {
    const q = unique('eta');
    const app = track(chaosApp(node.url, q));
    const closed: string[] = [];
    app.broker.events.on('error', (e) => closed.push(e.message));
    app.task('chaos.late', () => Date.now());
    const worker = app.worker({ maxHeldEtaSeconds: 1 });
    await worker.start();
    let ranAt = 0;
    worker.events.on('task-succeeded', (_req, value) => (ranAt = value as number));
    const sentAt = Date.now();
    // with a 4 s consumer timeout, holding this delivery would get the channel closed at least twice
    await app.sendTask('chaos.late', [], {}, { countdown: 9 });
    await until(() => ranAt > 0, 30_000, 50);
    console.log(`[chaos] countdown 9 s > consumer_timeout 4 s: ran after ${((ranAt - sentAt) / 1000).toFixed(1)} s, channels closed by the broker: ${closed.length}`);
    expect(ranAt - sentAt).toBeGreaterThanOrEqual(8900);
    expect(closed.filter((m) => /PRECONDITION|closed by the broker/.test(m))).toEqual([]);
    await worker.stop();
  }, 60_000);

  it('(control) holding the same ETA in the worker does get the channel closed by the consumer timeout', async () => {
    const q = unique('eta_held');
    const app = track(chaosApp(node.url, q));
    const closed: string[] = [];
    app.broker.events.on('error', (e) => closed.push(e.message));
    app.task('chaos.late', () => Date.now());
    const worker = app.worker({ maxHeldEtaSeconds: 600 });
    await worker.start();
    await app.sendTask('chaos.late', [], {}, { countdown: 7 });
    await until(() => closed.some((m) => /closed by the broker/.test(m)), 20_000, 100);
    await worker.stop();
  }, 60_000);
});
