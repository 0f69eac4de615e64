/**
 * One worker in a process of its own, so its rate, CPU and memory are its own: the bench starts
 * it with a `ChildConfig`, it prints `{"ready":true}` once consuming, drains `n` tasks and
 * prints a `ChildReport` (see child-protocol.ts). Every kind is timed the same way: from the
 * first task received to the last one settled. Each kind imports only its own stack (amqplib,
 * Celeriac, BullMQ), so the memory measured is its own.
 */
import { fileURLToPath } from 'node:url';
import { warmUpTasks, type ChildConfig, type ChildProgress, type ChildReport } from './child-protocol.js';

const MB = 1024 * 1024;

/**
 * Counts tasks. The measurement starts when task `skip + 1` arrives (the first 10% warm the JIT
 * and the connection up, for every kind alike) and ends when the last one settled.
 */
class Clock {
  first = 0;
  last = 0;
  lastAt = 0;
  done = 0;
  received = 0;
  /** CPU use when the measurement started. */
  cpu: NodeJS.CpuUsage | null = null;
  readonly skip: number;
  readonly #n: number;
  readonly finished: Promise<void>;
  #resolve!: () => void;
  constructor(n: number) {
    this.#n = n;
    this.skip = warmUpTasks(n);
    this.finished = new Promise((resolve) => (this.#resolve = resolve));
  }
  onReceived(): void {
    if (++this.received !== this.skip + 1) return;
    this.first = performance.now();
    this.cpu = process.cpuUsage();
  }
  settled(): void {
    if (++this.done === this.#n) {
      this.last = performance.now();
      this.lastAt = Date.now();
      this.#resolve();
    }
  }
}

const ready = () => process.stdout.write('{"ready":true}\n');

async function runRaw(c: Extract<ChildConfig, { kind: 'raw' }>, clock: Clock): Promise<() => Promise<void>> {
  const { default: amqp } = await import('amqplib');
  const conn = await amqp.connect(c.amqpUrl, { noDelay: true, clientProperties: { connection_name: 'celeriac-bench raw child' } });
  const ch = await conn.createChannel();
  await ch.prefetch(c.prefetch, true);
  await ch.consume(c.queue, (msg) => {
    if (msg === null) return;
    clock.onReceived();
    JSON.parse(msg.content.toString('utf8')); // what any consumer of JSON tasks does at least
    ch.ack(msg);
    clock.settled();
  });
  return () => conn.close();
}

async function runCeleriac(c: Extract<ChildConfig, { kind: 'celeriac' }>, clock: Clock): Promise<() => Promise<void>> {
  const { benchApp } = await import('./bench-app.js');
  const { app } = benchApp(c.amqpUrl, c.names, c.backend, c.resultExpires);
  await app.connect();
  const worker = app.worker({ concurrency: c.concurrency, acksLate: true });
  worker.events.on('task-received', () => clock.onReceived());
  worker.events.on('task-succeeded', () => clock.settled()); // after the result is stored and the ack sent
  await worker.start();
  return async () => {
    await worker.stop();
    await app.close();
  };
}

async function runCeleriacCpu(c: Extract<ChildConfig, { kind: 'celeriac-cpu' }>, clock: Clock): Promise<() => Promise<void>> {
  process.env.BENCH_CPU_QUEUE = c.names.queue;
  process.env.BENCH_CPU_NS = c.names.controlExchange;
  process.env.BENCH_CPU_BACKEND = 'none';
  process.env.BENCH_CPU_QUIET = '1';
  process.env.AMQP_URL = c.amqpUrl;
  const tasksModule = fileURLToPath(new URL('./cpu-tasks.js', import.meta.url));
  const { app } = (await import(tasksModule)) as typeof import('./cpu-tasks.js');
  await app.connect();
  const worker = app.worker({ concurrency: c.concurrency, acksLate: true, pool: c.pool, tasksModule });
  worker.events.on('task-received', () => clock.onReceived());
  worker.events.on('task-succeeded', () => clock.settled());
  await worker.start();
  return async () => {
    await worker.stop();
    await app.close();
  };
}

async function runBull(c: Extract<ChildConfig, { kind: 'bullmq' }>, clock: Clock): Promise<() => Promise<void>> {
  const { Worker: BullWorker } = await import('bullmq');
  const { bullConnection } = await import('./bull-connection.js');
  const worker = new BullWorker(c.queue, async (job) => {
    clock.onReceived();
    return (job.data as { i?: number }).i ?? null;
  }, {
    connection: bullConnection(c.redisUrl, true),
    prefix: c.prefix,
    concurrency: c.concurrency,
    removeOnComplete: c.keepResults ? { count: c.n } : { count: 0 },
  });
  worker.on('completed', () => clock.settled()); // after the job moved to completed in Redis
  await worker.waitUntilReady();
  return () => worker.close();
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_CHILD ?? 'null') as ChildConfig | null;
  if (!config) throw new Error('child.js is started by the bench (BENCH_CHILD is not set)');
  const idle = process.memoryUsage.rss();
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const clock = new Clock(config.n);
  let stop: () => Promise<void>;
  switch (config.kind) {
    case 'raw': stop = await runRaw(config, clock); break;
    case 'celeriac': stop = await runCeleriac(config, clock); break;
    case 'celeriac-cpu': stop = await runCeleriacCpu(config, clock); break;
    case 'bullmq': stop = await runBull(config, clock); break;
  }
  ready();
  const progressMs = config.kind === 'celeriac' ? config.progressMs : undefined;
  const started = performance.now();
  const progress = progressMs === undefined ? null : setInterval(() => {
    const line: ChildProgress = { progress: { done: clock.done, rssMb: process.memoryUsage.rss() / MB, atMs: performance.now() - started } };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }, progressMs);
  await clock.finished;
  if (progress) clearInterval(progress);
  const used = process.cpuUsage(clock.cpu ?? undefined);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
  const ms = Math.max(clock.last - clock.first, 0.001);
  const report: ChildReport = {
    rate: ((config.n - clock.skip) / ms) * 1000,
    ms,
    cpuUsPerMessage: (used.user + used.system) / (config.n - clock.skip),
    lastAt: clock.lastAt,
    idleMb: idle / MB,
    peakRssMb: peak / MB,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
