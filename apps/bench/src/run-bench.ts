/**
 * One bench run, in order: warm-up, the producer/worker sweep (raw amqplib and Celeriac
 * interleaved, each step on a fresh connection), flatness across queue depths, worker memory
 * in a child process, round trips (raw, rpc, redis). Every queue, exchange and Redis key it
 * created is removed at the end, also when a scenario fails.
 */
import { benchApp } from './bench-app.js';
import type { BenchOptions } from './bench-options.js';
import { row, type BenchReport, type ResultRow } from './bench-report.js';
import { BenchResources, type AppNames } from './bench-resources.js';
import { celeriacPublish } from './celeriac-producer.js';
import { celeriacDrain, type DrainResult } from './celeriac-worker.js';
import { describeMachine } from './machine.js';
import { taskMessageTemplate, type MessageTemplate } from './message-template.js';
import { rawConsume, rawPublish, rawRoundTrips } from './raw-amqp.js';
import { celeriacRoundTrips } from './round-trip.js';
import { median, percentile, type Throughput } from './stats.js';
import { measureWorkerRss } from './worker-rss.js';
import { bullmqOnRedis, celeriacOnRedis, deleteRedisPrefix, type RedisTransportResult } from './redis-transport.js';

/** Celery's default prefetch multiplier, used by the worker and copied by the raw consumer. */
const PREFETCH_MULTIPLIER = 4;
/** A shallow queue drains in tens of milliseconds: the median of several runs tames the noise. */
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
    const machine = await describeMachine(url, options.redisUrl);
    const template = taskMessageTemplate(res.prefix);
    const run = new Scenarios(options, res, template, log);

    await run.warmUp();
    const sweep = await run.sweep();
    const flat = await run.flatness();
    const rss = await run.memory();
    const trips = await run.roundTrips();
    const redis = await run.redisTransport();

    const rawPublishRate = median(sweep.map((s) => s.rawPublish.rate));
    const celeriacPublishRate = median(sweep.map((s) => s.celeriacPublish.rate));
    const rows: ResultRow[] = [
      row({
        id: 'producer', scenario: 'Producer: delay(), confirmed, persistent', unit: 'tasks/s',
        celeriac: celeriacPublishRate, baseline: rawPublishRate, baselineLabel: 'raw confirmed publish',
        target: { kind: 'min-ratio', value: 0.8 },
        cpuUsPerMessage: { celeriac: median(sweep.map((s) => s.celeriacPublish.cpuUsPerMessage)), baseline: median(sweep.map((s) => s.rawPublish.cpuUsPerMessage)) },
      }),
      ...sweep.map((s) => row({
        id: `worker-c${s.concurrency}`, scenario: `Worker: no-op, acks late, concurrency ${s.concurrency}`, unit: 'tasks/s',
        celeriac: s.celeriacDrain.rate, baseline: s.rawConsume.rate, baselineLabel: `raw consume+ack, prefetch ${s.concurrency * PREFETCH_MULTIPLIER}`,
        target: { kind: 'min-ratio', value: 0.7 },
        cpuUsPerMessage: { celeriac: s.celeriacDrain.cpuUsPerMessage, baseline: s.rawConsume.cpuUsPerMessage },
      })),
      row({
        id: 'rtt-rpc-p50', scenario: 'Round trip delay().get(), rpc, p50', unit: 'ms',
        celeriac: percentile(trips.rpc, 50), baseline: percentile(trips.raw, 50), baselineLabel: 'raw request/reply',
        target: { kind: 'max', value: 1 },
      }),
      row({
        id: 'rtt-rpc-p99', scenario: 'Round trip delay().get(), rpc, p99', unit: 'ms',
        celeriac: percentile(trips.rpc, 99), baseline: percentile(trips.raw, 99), baselineLabel: 'raw request/reply',
      }),
      row({ id: 'rtt-redis-p50', scenario: 'Round trip delay().get(), redis, p50', unit: 'ms', celeriac: percentile(trips.redis, 50) }),
      row({ id: 'rtt-redis-p99', scenario: 'Round trip delay().get(), redis, p99', unit: 'ms', celeriac: percentile(trips.redis, 99) }),
      row({
        id: 'worker-rss', scenario: `Worker peak RSS, ${options.rssTasks.toLocaleString('en-US')} queued, concurrency ${RSS_CONCURRENCY}`, unit: 'MB',
        celeriac: Math.max(rss.sampledPeakMb, rss.maxRssMb), target: { kind: 'max', value: 100 },
      }),
      row({
        id: 'flatness', scenario: `Worker at ${options.flatDepths[1].toLocaleString('en-US')} queued vs ${options.flatDepths[0].toLocaleString('en-US')}, concurrency ${options.flatConcurrency}`, unit: 'tasks/s',
        celeriac: flat.deep.rate, baseline: median(flat.shallow.map((d) => d.rate)), baselineLabel: `${options.flatDepths[0].toLocaleString('en-US')} queued`,
        target: { kind: 'ratio-band', low: 0.85, high: 1.15 },
        cpuUsPerMessage: { celeriac: flat.deep.cpuUsPerMessage, baseline: median(flat.shallow.map((d) => d.cpuUsPerMessage)) },
      }),
      row({
        id: 'redis-producer', scenario: 'Redis broker: delay() (LPUSH answered)', unit: 'tasks/s',
        celeriac: redis.celeriacPublish.rate, baseline: redis.bullmqAdd.rate, baselineLabel: 'BullMQ queue.add()',
        cpuUsPerMessage: { celeriac: redis.celeriacPublish.cpuUsPerMessage, baseline: redis.bullmqAdd.cpuUsPerMessage },
      }),
      row({
        id: `redis-worker-c${REDIS_CONCURRENCY}`, scenario: `Redis broker: worker, no-op, acks late, concurrency ${REDIS_CONCURRENCY}`, unit: 'tasks/s',
        celeriac: redis.celeriacDrain.rate, baseline: redis.bullmqWorker.rate, baselineLabel: 'BullMQ Worker, same concurrency',
        cpuUsPerMessage: { celeriac: redis.celeriacDrain.cpuUsPerMessage, baseline: redis.bullmqWorker.cpuUsPerMessage },
      }),
      row({
        id: 'flatness-raw', scenario: `Raw consume+ack at ${options.flatDepths[1].toLocaleString('en-US')} queued vs ${options.flatDepths[0].toLocaleString('en-US')} (reference)`, unit: 'tasks/s',
        celeriac: flat.rawDeep.rate, baseline: median(flat.rawShallow.map((d) => d.rate)), baselineLabel: `${options.flatDepths[0].toLocaleString('en-US')} queued`,
        cpuUsPerMessage: { celeriac: flat.rawDeep.cpuUsPerMessage, baseline: median(flat.rawShallow.map((d) => d.cpuUsPerMessage)) },
      }),
    ];
    return {
      schema: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      smoke: options.smoke,
      machine,
      settings: { ...options, prefetchMultiplier: PREFETCH_MULTIPLIER, rssConcurrency: RSS_CONCURRENCY },
      rows,
      samples: {
        sweep,
        flatness: flat,
        rss,
        roundTrips: Object.fromEntries(Object.entries(trips).map(([k, v]) => [k, summarize(v)])),
        redisTransport: redis,
      },
    };
  } finally {
    await res.release(url, options.redisUrl).catch((err: unknown) => log(`clean-up failed: ${(err as Error).message}`));
  }
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
  async flatness(): Promise<Flatness> {
    const [shallowDepth, deepDepth] = this.options.flatDepths;
    const c = this.options.flatConcurrency;
    this.log(`flatness: ${shallowDepth.toLocaleString('en-US')} vs ${deepDepth.toLocaleString('en-US')} queued`);
    const shallow: DrainResult[] = [];
    const rawShallow: Throughput[] = [];
    for (let i = 0; i < SHALLOW_RUNS; i++) {
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

  async memory(): Promise<Awaited<ReturnType<typeof measureWorkerRss>>> {
    const tasks = this.options.rssTasks;
    this.log(`worker memory with ${tasks.toLocaleString('en-US')} queued (child process)`);
    const names = this.res.app('rss');
    await this.#fill(names, tasks);
    const report = await measureWorkerRss({ amqpUrl: this.options.amqpUrl, names, tasks, concurrency: RSS_CONCURRENCY });
    await this.res.dropQueue(this.options.amqpUrl, names.queue);
    return report;
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

  /** Celeriac's Redis transport and BullMQ, the same jobs on the same Redis, all keys under the run's prefix. */
  async redisTransport(): Promise<RedisTransportResult> {
    const { redisUrl, window } = this.options;
    const n = Math.min(this.options.n, 20_000);
    this.log(`redis broker vs BullMQ (${n.toLocaleString('en-US')} jobs, concurrency ${REDIS_CONCURRENCY})`);
    const prefix = `${this.res.prefix}_redis`;
    try {
      const names = this.res.app('redis');
      const celeriac = await celeriacOnRedis(() => benchApp(redisUrl, names, null, `${prefix}:`), n, window, REDIS_CONCURRENCY);
      const bull = await bullmqOnRedis(redisUrl, `${prefix}_bull`, names.queue, n, window, REDIS_CONCURRENCY);
      return { celeriacPublish: celeriac.publish, celeriacDrain: celeriac.drain, bullmqAdd: bull.add, bullmqWorker: bull.work };
    } finally {
      await deleteRedisPrefix(redisUrl, prefix);
    }
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
    const bench = benchApp(this.options.amqpUrl, names, null);
    try {
      return await celeriacPublish(bench, n, this.options.window);
    } finally {
      await bench.app.close();
    }
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
