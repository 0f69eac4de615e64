/**
 * One bench run, in order: warm-up, the producer/worker sweep in this process (raw amqplib and
 * Celeriac interleaved, each step on a fresh connection), the peers' producers, the drain and
 * memory of every worker in a process of its own (raw, Celeriac, BullMQ, Python Celery), end to
 * end with results in Redis, CPU-bound pools, round trips, flatness across queue depths. Every
 * queue, exchange and Redis key it created is removed at the end, also when a scenario fails.
 */
import { loadavg } from 'node:os';
import { benchApp } from './bench-app.js';
import type { BenchOptions } from './bench-options.js';
import { row, type BenchReport, type ResultRow } from './bench-report.js';
import { BenchResources, type AppNames } from './bench-resources.js';
import { fillQueue } from './celeriac-producer.js';
import { celeriacDrain, type DrainResult } from './celeriac-worker.js';
import { describeMachine } from './machine.js';
import { taskMessageTemplate, type MessageTemplate } from './message-template.js';
import { rawConsume, rawPublish, rawRoundTrips } from './raw-amqp.js';
import { celeriacRoundTrips } from './round-trip.js';
import { median, percentile, redactUrl, type Throughput } from './stats.js';
import { celeryMissing, celeryVersion } from './celery-peer.js';
import { PeerScenarios, type CpuRuns, type DrainRuns, type EndToEnd } from './peer-scenarios.js';
import { bullmqOnRedis, celeriacOnRedis, deleteRedisPrefix, type RedisTransportResult } from './redis-transport.js';

/** Celery's default prefetch multiplier, used by the worker and copied by the raw consumer. */
const PREFETCH_MULTIPLIER = 4;
/** A shallow queue drains in tens of milliseconds: the median of several runs tames the noise (one in the smoke run). */
const SHALLOW_RUNS = 5;
/** The memory scenario runs the largest worker of the sweep (prefetch 512): the most held messages. */
const RSS_CONCURRENCY = 128;
/** Concurrency of the Redis transport / BullMQ comparison. */
const REDIS_CONCURRENCY = 16;

type Log = (line: string) => void;

export async function runBench(options: BenchOptions, log: Log = () => undefined): Promise<BenchReport> {
  const startedAt = new Date();
  const res = new BenchResources();
  const url = options.amqpUrl;
  try {
    const celerySkipped = celeryMissing();
    if (celerySkipped !== null) log(`Python Celery is SKIPPED: ${celerySkipped}`);
    const machine = await describeMachine(url, options.redisUrl, celerySkipped === null ? celeryVersion() : 'not run');
    const template = taskMessageTemplate(res.prefix);
    const run = new Scenarios(options, res, template, log);
    const peers = new PeerScenarios(options, res, template, log, celerySkipped);

    const phases: Record<string, number> = {};
    const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        phases[name] = Math.round(performance.now() - t0);
        log(`  ${name} took ${(phases[name] / 1000).toFixed(1)} s`);
      }
    };
    await timed('warm-up', () => run.warmUp());
    const sweep = await timed('sweep', () => run.sweep());
    const producers = await timed('producers', () => peers.producers(options.n, options.celeryTasks));
    const drain = await timed('drain', () => peers.drain(options.drainN, options.drainConcurrency, options.celeryTasks, 'drain'));
    const memory = await timed('memory', () => peers.drain(options.rssTasks, RSS_CONCURRENCY, 0, 'rss'));
    const e2e = await timed('end to end', () => peers.endToEnd(options.e2eN, options.drainConcurrency, options.celeryE2eN));
    const cpu = await timed('cpu-bound', () => peers.cpuBound(options.cpuRounds, options.cpuTasks, options.celeryCpuTasks));
    const trips = await timed('round trips', () => run.roundTrips());
    const peerTrips = await timed('peer round trips', () => peers.roundTrips(options.peerRoundTrips, Math.max(5, Math.round(options.peerRoundTrips / 10))));
    const flat = await timed('flatness', () => run.flatness());
    const redis = await timed('redis broker', () => run.redisTransport());

    const rows = buildRows(options, { sweep, producers, drain, memory, e2e, cpu, trips, peerTrips, flat, redis });
    machine.loadavg.end = loadavg();
    return {
      schema: 2,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      smoke: options.smoke,
      machine,
      settings: { ...options, amqpUrl: redactUrl(options.amqpUrl), redisUrl: redactUrl(options.redisUrl), prefetchMultiplier: PREFETCH_MULTIPLIER, rssConcurrency: RSS_CONCURRENCY },
      skipped: celerySkipped === null ? {} : { 'celery-prefork': celerySkipped, 'celery-threads': celerySkipped },
      rows,
      samples: {
        sweep,
        producers,
        drain,
        memory,
        endToEnd: e2e,
        cpuBound: cpu,
        flatness: flat,
        redisTransport: redis,
        phaseMs: phases,
        roundTrips: Object.fromEntries([...Object.entries(trips), ...Object.entries(peerTrips)].filter(([, v]) => v !== null).map(([k, v]) => [k, summarize(v!)])),
      },
    };
  } finally {
    await res.release(url, options.redisUrl).catch((err: unknown) => log(`clean-up failed: ${(err as Error).message}`));
  }
}

interface Measured {
  sweep: SweepStep[];
  producers: Awaited<ReturnType<PeerScenarios['producers']>>;
  drain: DrainRuns;
  memory: DrainRuns;
  e2e: EndToEnd;
  cpu: CpuRuns;
  trips: { raw: number[]; rpc: number[]; redis: number[] };
  peerTrips: { bullmq: number[]; celery: number[] | null };
  flat: Flatness;
  redis: RedisTransportResult;
}

function buildRows(options: BenchOptions, m: Measured): ResultRow[] {
  const { sweep, producers, drain, memory, e2e, cpu, trips, peerTrips, flat, redis } = m;
  const count = (n: number) => n.toLocaleString('en-US');
  const py = (note: string) => (v: number | null | undefined) => (v === null || v === undefined ? null : { value: v, note });
  const pyDrain = py(`-c 2, prefetch 8, ${count(drain.celeryN)} tasks`);
  const pyThreads = py(`-c ${options.drainConcurrency}, ${count(drain.celeryN)} tasks`);
  const scaling = (pair: readonly [{ rate: number }, { rate: number }]) => pair[1].rate / pair[0].rate;
  const rawPublishRate = median(sweep.map((s) => s.rawPublish.rate));
  return [
    row({
      id: 'producer', scenario: 'Producer: enqueue N (Celeriac delay(), confirmed, persistent)', unit: 'tasks/s',
      celeriac: median(sweep.map((s) => s.celeriacPublish.rate)), baseline: rawPublishRate, baselineLabel: 'raw confirmed publish',
      peers: { 'bullmq': producers.bullmq.rate, 'celery-prefork': py('apply_async, no confirms')(producers.celery) },
      target: { kind: 'min-ratio', value: 0.95 },
      cpuUsPerMessage: { celeriac: median(sweep.map((s) => s.celeriacPublish.cpuUsPerMessage)), baseline: median(sweep.map((s) => s.rawPublish.cpuUsPerMessage)) },
    }),
    row({
      id: 'drain', scenario: `Worker drain: no-op, results ignored, own process, ${count(drain.n)} queued, concurrency ${options.drainConcurrency}`, unit: 'tasks/s',
      celeriac: drain.celeriac.rate, baseline: drain.raw.rate, baselineLabel: `raw consume+JSON+ack, prefetch ${drain.prefetch}`,
      peers: { 'bullmq': drain.bullmq.rate, 'celery-prefork': pyDrain(drain.celeryPrefork?.rate), 'celery-threads': pyThreads(drain.celeryThreads?.rate) },
      target: { kind: 'min-ratio', value: 0.9 },
      cpuUsPerMessage: { celeriac: drain.celeriac.cpuUsPerMessage, baseline: drain.raw.cpuUsPerMessage },
    }),
    row({
      id: 'drain-cpu', scenario: 'Worker CPU per message (the same drain; Celery: worker + pool processes)', unit: 'µs/msg',
      celeriac: drain.celeriac.cpuUsPerMessage, baseline: drain.raw.cpuUsPerMessage, baselineLabel: 'raw consumer',
      peers: { 'bullmq': drain.bullmq.cpuUsPerMessage, 'celery-prefork': pyDrain(drain.celeryPrefork?.cpuUsPerMessage), 'celery-threads': pyThreads(drain.celeryThreads?.cpuUsPerMessage) },
      target: { kind: 'max-ratio', value: 1.3 },
    }),
    ...sweep.map((s) => row({
      id: `worker-c${s.concurrency}`, scenario: `Worker in the bench process: no-op, acks late, concurrency ${s.concurrency}`, unit: 'tasks/s',
      celeriac: s.celeriacDrain.rate, baseline: s.rawConsume.rate, baselineLabel: `raw consume+ack, prefetch ${s.concurrency * PREFETCH_MULTIPLIER}`,
      cpuUsPerMessage: { celeriac: s.celeriacDrain.cpuUsPerMessage, baseline: s.rawConsume.cpuUsPerMessage },
    })),
    row({
      id: 'e2e', scenario: `End to end, results stored in Redis: ${count(e2e.n)} sent to a running worker (own process), concurrency ${options.drainConcurrency}`, unit: 'tasks/s',
      celeriac: e2e.celeriac, baseline: e2e.bullmq, baselineLabel: 'BullMQ add->completed',
      peers: { 'celery-prefork': py(`-c 2, ${count(e2e.celeryN)} tasks from the Celeriac producer`)(e2e.celeryPrefork) },
      target: { kind: 'min-ratio', value: 1 },
    }),
    row({
      id: 'rtt-rpc-p50', scenario: 'Round trip delay().get(), rpc, p50', unit: 'ms',
      celeriac: percentile(trips.rpc, 50), baseline: percentile(trips.raw, 50), baselineLabel: 'raw request/reply',
      peers: { 'bullmq': percentile(peerTrips.bullmq, 50), 'celery-prefork': py('rpc, -c 2')(peerTrips.celery && percentile(peerTrips.celery, 50)) },
      target: { kind: 'max-ratio', value: 1.1 },
    }),
    row({
      id: 'rtt-rpc-p99', scenario: 'Round trip delay().get(), rpc, p99', unit: 'ms',
      celeriac: percentile(trips.rpc, 99), baseline: percentile(trips.raw, 99), baselineLabel: 'raw request/reply',
      peers: { 'bullmq': percentile(peerTrips.bullmq, 99), 'celery-prefork': py('rpc, -c 2')(peerTrips.celery && percentile(peerTrips.celery, 99)) },
    }),
    row({
      id: 'rtt-redis-p50', scenario: 'Round trip delay().get(), redis, p50 (BullMQ: add + waitUntilFinished)', unit: 'ms',
      celeriac: percentile(trips.redis, 50), baseline: percentile(trips.raw, 50), baselineLabel: 'raw request/reply',
      peers: { 'bullmq': percentile(peerTrips.bullmq, 50) },
    }),
    row({
      id: 'rtt-redis-p99', scenario: 'Round trip delay().get(), redis, p99', unit: 'ms',
      celeriac: percentile(trips.redis, 99), baseline: percentile(trips.raw, 99), baselineLabel: 'raw request/reply',
      peers: { 'bullmq': percentile(peerTrips.bullmq, 99) },
    }),
    row({
      id: 'worker-rss', scenario: `Worker peak RSS, ${count(memory.n)} queued, concurrency ${RSS_CONCURRENCY} (own process)`, unit: 'MB',
      celeriac: memory.celeriac.peakRssMb, baseline: memory.raw.peakRssMb, baselineLabel: `raw consumer, prefetch ${memory.prefetch}`,
      peers: { 'bullmq': memory.bullmq.peakRssMb, 'celery-prefork': pyDrain(drain.celeryPrefork?.peakRssMb), 'celery-threads': pyThreads(drain.celeryThreads?.peakRssMb) },
      target: { kind: 'max', value: 100 },
    }),
    row({
      id: 'cpu-threads-scaling', scenario: `CPU-bound bench.cpu(${count(cpu.rounds)}), threads pool: 2 workers vs 1`, unit: 'x',
      celeriac: scaling(cpu.threads),
      peers: { 'celery-prefork': py(`prefork -c 2 vs -c 1, ${cpu.celeryTasks} tasks`)(cpu.celeryPrefork && scaling(cpu.celeryPrefork)) },
      target: { kind: 'min', value: 1.8 },
    }),
    row({
      id: 'cpu-processes-scaling', scenario: `CPU-bound bench.cpu(${count(cpu.rounds)}), processes pool: 2 workers vs 1`, unit: 'x',
      celeriac: scaling(cpu.processes),
      peers: { 'celery-prefork': py(`prefork -c 2 vs -c 1, ${cpu.celeryTasks} tasks`)(cpu.celeryPrefork && scaling(cpu.celeryPrefork)) },
      target: { kind: 'min', value: 1.8 },
    }),
    row({
      id: 'cpu-rate', scenario: `CPU-bound bench.cpu(${count(cpu.rounds)}), 2 workers, tasks/s (processes pool; threads in the samples)`, unit: 'tasks/s',
      celeriac: cpu.processes[1].rate,
      peers: { 'celery-prefork': py('prefork -c 2')(cpu.celeryPrefork?.[1].rate) },
    }),
    row({
      id: 'flatness', scenario: `Worker at ${count(options.flatDepths[1])} queued vs ${count(options.flatDepths[0])}, concurrency ${options.flatConcurrency}`, unit: 'tasks/s',
      celeriac: flat.deep.rate, baseline: median(flat.shallow.map((d) => d.rate)), baselineLabel: `${count(options.flatDepths[0])} queued`,
      target: { kind: 'ratio-band', low: 0.85, high: 1.15 },
      cpuUsPerMessage: { celeriac: flat.deep.cpuUsPerMessage, baseline: median(flat.shallow.map((d) => d.cpuUsPerMessage)) },
    }),
    row({
      id: 'flatness-raw', scenario: `Raw consume+ack at ${count(options.flatDepths[1])} queued vs ${count(options.flatDepths[0])} (reference)`, unit: 'tasks/s',
      celeriac: flat.rawDeep.rate, baseline: median(flat.rawShallow.map((d) => d.rate)), baselineLabel: `${count(options.flatDepths[0])} queued`,
      cpuUsPerMessage: { celeriac: flat.rawDeep.cpuUsPerMessage, baseline: median(flat.rawShallow.map((d) => d.cpuUsPerMessage)) },
    }),
    row({
      id: 'redis-producer', scenario: 'Redis broker: Celeriac delay() (LPUSH answered) vs BullMQ queue.add(), same Redis', unit: 'tasks/s',
      celeriac: redis.celeriacPublish.rate, baseline: redis.bullmqAdd.rate, baselineLabel: 'BullMQ queue.add()',
      cpuUsPerMessage: { celeriac: redis.celeriacPublish.cpuUsPerMessage, baseline: redis.bullmqAdd.cpuUsPerMessage },
    }),
    row({
      id: 'redis-drain', scenario: `Redis broker: Celeriac worker vs BullMQ Worker, no-op, concurrency ${REDIS_CONCURRENCY}, in the bench process`, unit: 'tasks/s',
      celeriac: redis.celeriacDrain.rate, baseline: redis.bullmqWorker.rate, baselineLabel: 'BullMQ Worker, same concurrency',
      cpuUsPerMessage: { celeriac: redis.celeriacDrain.cpuUsPerMessage, baseline: redis.bullmqWorker.cpuUsPerMessage },
    }),
  ];
}

interface Flatness {
  shallow: DrainResult[];
  deep: DrainResult;
  rawShallow: Throughput[];
  rawDeep: Throughput;
}

interface SweepStep {
  concurrency: number;
  rawPublish: Throughput;
  rawConsume: Throughput;
  celeriacPublish: Throughput;
  celeriacDrain: DrainResult;
}

class Scenarios {
  constructor(
    private readonly options: BenchOptions,
    private readonly res: BenchResources,
    private readonly template: MessageTemplate,
    private readonly log: Log,
  ) {}

  /** JIT and broker warm-up: a small raw and Celeriac publish + drain, not reported. */
  async warmUp(): Promise<void> {
    const n = Math.min(this.options.n, 5_000);
    this.log(`warm-up (${n} messages)`);
    await this.#raw('warmup', n, 64);
    const names = this.res.app('warmup');
    await this.#fill(names, n);
    await this.#drain(names, n, 16);
  }

  async sweep(): Promise<SweepStep[]> {
    const { n, concurrency } = this.options;
    const steps: SweepStep[] = [];
    for (const c of concurrency) {
      this.log(`producer and worker, concurrency ${c} (${n.toLocaleString('en-US')} messages)`);
      const raw = await this.#raw(`raw_c${c}`, n, c * PREFETCH_MULTIPLIER);
      const names = this.res.app(`worker_c${c}`);
      const celeriacPublish = await this.#fill(names, n);
      const celeriacDrain = await this.#drain(names, n, c);
      steps.push({ concurrency: c, rawPublish: raw.publish, rawConsume: raw.consume, celeriacPublish, celeriacDrain });
    }
    return steps;
  }

  /**
   * The worker with a shallow and a deep queue (the short shallow run five times, median), and raw
   * consume+ack at the same depths as a reference: it tells the broker's share of any slope.
   */
  /** Celeriac's Redis transport and BullMQ, the same jobs on the same Redis, every key under the run's prefix. */
  async redisTransport(): Promise<RedisTransportResult> {
    const { redisUrl, window } = this.options;
    const n = Math.min(this.options.n, 20_000);
    this.log(`redis broker vs BullMQ (${n.toLocaleString('en-US')} jobs, concurrency ${REDIS_CONCURRENCY})`);
    const prefix = `${this.res.prefix}_redis`;
    try {
      const names = this.res.app('redis');
      const celeriac = await celeriacOnRedis(() => benchApp(redisUrl, names, null, 600, `${prefix}:`), n, window, REDIS_CONCURRENCY);
      const bull = await bullmqOnRedis(redisUrl, `${prefix}_bull`, names.queue, n, window, REDIS_CONCURRENCY);
      return { celeriacPublish: celeriac.publish, celeriacDrain: celeriac.drain, bullmqAdd: bull.add, bullmqWorker: bull.work };
    } finally {
      await deleteRedisPrefix(redisUrl, prefix);
    }
  }

  async flatness(): Promise<Flatness> {
    const [shallowDepth, deepDepth] = this.options.flatDepths;
    const c = this.options.flatConcurrency;
    this.log(`flatness: ${shallowDepth.toLocaleString('en-US')} vs ${deepDepth.toLocaleString('en-US')} queued`);
    const shallow: DrainResult[] = [];
    const rawShallow: Throughput[] = [];
    for (let i = 0; i < (this.options.smoke ? 1 : SHALLOW_RUNS); i++) {
      const names = this.res.app(`flat_${shallowDepth}`);
      await this.#fill(names, shallowDepth);
      shallow.push(await this.#drain(names, shallowDepth, c));
      rawShallow.push((await this.#raw(`raw_flat_${shallowDepth}`, shallowDepth, c * PREFETCH_MULTIPLIER)).consume);
    }
    const names = this.res.app(`flat_${deepDepth}`);
    await this.#fill(names, deepDepth);
    const deep = await this.#drain(names, deepDepth, c);
    const rawDeep = (await this.#raw(`raw_flat_${deepDepth}`, deepDepth, c * PREFETCH_MULTIPLIER)).consume;
    return { shallow, deep, rawShallow, rawDeep };
  }

  async roundTrips(): Promise<{ raw: number[]; rpc: number[]; redis: number[] }> {
    const { amqpUrl, roundTrips: count, redisUrl } = this.options;
    const warmup = Math.max(5, Math.round(count / 10));
    this.log(`round trips (${count} sequential each): raw, rpc, redis`);
    const raw = await rawRoundTrips(amqpUrl, this.res.queue('rtt_raw'), this.template, count, warmup);
    const rpcApp = benchApp(amqpUrl, this.res.app('rtt_rpc'), 'rpc://');
    const rpc = await celeriacRoundTrips(rpcApp, count, warmup, () => undefined).finally(() => rpcApp.app.close());
    const redisApp = benchApp(amqpUrl, this.res.app('rtt_redis'), redisUrl);
    const redis = await celeriacRoundTrips(redisApp, count, warmup, (id) => this.res.redisKey(`celery-task-meta-${id}`))
      .finally(() => redisApp.app.close());
    return { raw, rpc, redis };
  }

  /** Raw publish of `n` template messages to a fresh queue, then raw consume of them. */
  async #raw(label: string, n: number, prefetch: number): Promise<{ publish: Throughput; consume: Throughput }> {
    const queue = this.res.queue(label);
    const publish = await rawPublish(this.options.amqpUrl, queue, this.template, n, this.options.window);
    const consume = await rawConsume(this.options.amqpUrl, queue, n, prefetch);
    await this.res.dropQueue(this.options.amqpUrl, queue);
    return { publish, consume };
  }

  /** Queues `n` no-op tasks with the Celeriac producer (its own app and connection). */
  async #fill(names: AppNames, n: number): Promise<Throughput> {
    return fillQueue(this.options.amqpUrl, names, n, this.options.window);
  }


  /** Drains `n` queued tasks with a Celeriac worker on a fresh app, then drops the queue. */
  async #drain(names: AppNames, n: number, concurrency: number): Promise<DrainResult> {
    const bench = benchApp(this.options.amqpUrl, names, null);
    try {
      return await celeriacDrain(bench, n, concurrency);
    } finally {
      await bench.app.close();
      await this.res.dropQueue(this.options.amqpUrl, names.queue);
    }
  }
}

function summarize(latencies: readonly number[]): Record<string, number> {
  return {
    count: latencies.length,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
  };
}
