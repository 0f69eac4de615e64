/**
 * The scenarios that compare the peers, every worker in a process of its own: the drain of a
 * filled queue (raw amqplib, Celeriac, BullMQ, Celery prefork and threads) with peak memory,
 * end to end with results stored in Redis, CPU-bound work on the threads and processes pools
 * with 1 and 2 workers, and the peers' producers and round trips.
 */
import { benchApp } from './bench-app.js';
import type { BenchOptions } from './bench-options.js';
import type { AppNames, BenchResources } from './bench-resources.js';
import { bullCompletedCounter, bullProduce, bullRoundTrips } from './bullmq-peer.js';
import { fillQueue } from './celeriac-producer.js';
import { CeleryWorker, celeryDrain, celeryDrive, sleep, type CeleryPool, type CeleryRun } from './celery-peer.js';
import type { ChildReport } from './child-protocol.js';
import type { MessageTemplate } from './message-template.js';
import { rawPublish } from './raw-amqp.js';
import { startChild } from './spawn-child.js';
import type { Throughput } from './stats.js';
import { Redis } from 'ioredis';

type Log = (line: string) => void;

export interface DrainRuns {
  n: number;
  prefetch: number;
  raw: ChildReport;
  celeriac: ChildReport;
  bullmq: ChildReport;
  celeryPrefork: CeleryRun | null;
  celeryThreads: CeleryRun | null;
  celeryN: number;
}

export interface EndToEnd {
  n: number;
  celeriac: number;
  bullmq: number;
  celeryPrefork: number | null;
  celeryN: number;
}

export interface CpuRuns {
  rounds: number;
  tasks: number;
  threads: [ChildReport, ChildReport];
  processes: [ChildReport, ChildReport];
  celeryTasks: number;
  celeryPrefork: [CeleryRun, CeleryRun] | null;
}

export class PeerScenarios {
  constructor(
    private readonly options: BenchOptions,
    private readonly res: BenchResources,
    private readonly template: MessageTemplate,
    private readonly log: Log,
    /** Null when Python Celery runs here; else why it is skipped. */
    private readonly celerySkipped: string | null,
  ) {}

  get celery(): boolean {
    return this.celerySkipped === null;
  }

  /**
   * Every worker drains `n` queued no-op tasks with the same prefetch, in its own process; the
   * Celery workers drain `celeryN` (they are ~20x slower) with prefork -c 2 and threads.
   */
  async drain(n: number, concurrency: number, celeryN: number, label: string): Promise<DrainRuns> {
    const { amqpUrl, redisUrl, window } = this.options;
    const prefetch = concurrency * 4;
    this.log(`${label}: raw, Celeriac, BullMQ workers in their own processes (${n.toLocaleString('en-US')} queued, prefetch ${prefetch})`);
    const rawQueue = this.res.queue(`${label}_raw`);
    await rawPublish(amqpUrl, rawQueue, this.template, n, window);
    const raw = await startChild({ kind: 'raw', amqpUrl, queue: rawQueue, n, prefetch }).report;
    await this.res.dropQueue(amqpUrl, rawQueue);

    const names = this.res.app(`${label}_celeriac`);
    await this.#fill(names, n);
    const celeriac = await startChild({ kind: 'celeriac', amqpUrl, names, n, concurrency, backend: null }).report;
    await this.res.dropQueue(amqpUrl, names.queue);

    const bullQueue = this.res.bullQueue(`${label}`);
    await bullProduce(redisUrl, this.res.bullPrefix, bullQueue, n, window);
    const bullmq = await startChild({ kind: 'bullmq', redisUrl, prefix: this.res.bullPrefix, queue: bullQueue, n, concurrency, keepResults: false }).report;

    let celeryPrefork: CeleryRun | null = null;
    let celeryThreads: CeleryRun | null = null;
    if (this.celery && celeryN > 0) {
      this.log(`${label}: Python Celery prefork -c 2 and threads -c ${concurrency} (${celeryN.toLocaleString('en-US')} queued)`);
      celeryPrefork = await this.#celeryDrain(`${label}_py_prefork`, celeryN, 'prefork', 2);
      celeryThreads = await this.#celeryDrain(`${label}_py_threads`, celeryN, 'threads', concurrency);
    }
    return { n, prefetch, raw, celeriac, bullmq, celeryPrefork, celeryThreads, celeryN };
  }

  /**
   * End to end with results stored in Redis: the worker runs first (its own process), then the
   * producer sends `n` tasks; timed from the first send to the last result stored. Celeriac:
   * `delay()` to a worker with the redis backend; BullMQ: `add()` to a Worker, completed jobs
   * kept with their return values; Celery: the Celeriac producer to a prefork -c 2 worker with
   * its redis backend, done when every result document exists.
   */
  async endToEnd(n: number, concurrency: number, celeryN: number): Promise<EndToEnd> {
    const { amqpUrl, redisUrl, window } = this.options;
    this.log(`end to end with results in Redis: Celeriac, BullMQ${this.celery ? ', Celery' : ''} (${n.toLocaleString('en-US')} tasks)`);
    const names = this.res.app('e2e_celeriac');
    const child = startChild({ kind: 'celeriac', amqpUrl, names, n, concurrency, backend: redisUrl });
    await child.ready;
    const started = Date.now();
    const ids = await this.#send(names, n);
    const report = await child.report;
    const celeriac = (n / Math.max(report.lastAt - started, 1)) * 1000;
    for (const id of ids) this.res.redisKey(`celery-task-meta-${id}`);
    await this.res.dropQueue(amqpUrl, names.queue);

    const bullQueue = this.res.bullQueue('e2e');
    const bullChild = startChild({ kind: 'bullmq', redisUrl, prefix: this.res.bullPrefix, queue: bullQueue, n, concurrency, keepResults: true });
    await bullChild.ready;
    const bullStarted = Date.now();
    await bullProduce(redisUrl, this.res.bullPrefix, bullQueue, n, window, true);
    const bullReport = await bullChild.report;
    const bullmq = (n / Math.max(bullReport.lastAt - bullStarted, 1)) * 1000;
    const counter = await bullCompletedCounter(redisUrl, this.res.bullPrefix, bullQueue);
    const completed = await counter.count().finally(() => counter.close());
    if (completed !== n) throw new Error(`BullMQ end to end: ${completed} of ${n} jobs kept as completed`);

    let celeryPrefork: number | null = null;
    if (this.celery) {
      const pyNames = this.res.app('e2e_py');
      const worker = new CeleryWorker(amqpUrl, pyNames, 'prefork', 2, redisUrl);
      try {
        await worker.ready(amqpUrl);
        const pyStarted = Date.now();
        const pyIds = await this.#send(pyNames, celeryN);
        for (const id of pyIds) this.res.redisKey(`celery-task-meta-${id}`);
        const done = await waitForResults(redisUrl, pyIds, () => worker.check());
        celeryPrefork = (celeryN / Math.max(done - pyStarted, 1)) * 1000;
      } finally {
        await worker.stop();
        await this.res.dropQueue(amqpUrl, pyNames.queue);
      }
    }
    return { n, celeriac, bullmq, celeryPrefork, celeryN };
  }

  /**
   * `tasks` CPU-bound `bench.cpu(rounds)` tasks on the Celeriac threads and processes pools
   * with 1 and 2 workers (own process each); Celery prefork -c 1 and -c 2 on `celeryTasks`.
   */
  async cpuBound(rounds: number, tasks: number, celeryTasks: number): Promise<CpuRuns> {
    const { amqpUrl } = this.options;
    this.log(`CPU-bound bench.cpu(${rounds.toLocaleString('en-US')}): threads and processes pools, 1 and 2 workers (${tasks} tasks)`);
    const run = async (pool: 'threads' | 'processes', concurrency: number) => {
      const names = this.res.app(`cpu_${pool}_${concurrency}`);
      await this.#fillCpu(names, tasks, rounds);
      const report = await startChild({ kind: 'celeriac-cpu', amqpUrl, names, n: tasks, concurrency, pool }).report;
      await this.res.dropQueue(amqpUrl, names.queue);
      return report;
    };
    const threads: [ChildReport, ChildReport] = [await run('threads', 1), await run('threads', 2)];
    const processes: [ChildReport, ChildReport] = [await run('processes', 1), await run('processes', 2)];
    let celeryPrefork: [CeleryRun, CeleryRun] | null = null;
    if (this.celery) {
      this.log(`CPU-bound: Celery prefork -c 1 and -c 2 (${celeryTasks} tasks)`);
      const py = async (c: number) => {
        const names = this.res.app(`cpu_py_${c}`);
        const ids = await this.#fillCpu(names, celeryTasks, rounds);
        for (const id of ids) this.res.redisKey(`celery-task-meta-${id}`);
        const results = new ResultKeys(this.options.redisUrl, ids);
        const r = await celeryDrain(amqpUrl, names, celeryTasks, 'prefork', c, { backend: this.options.redisUrl, done: () => results.allStored() })
          .finally(() => results.close());
        await this.res.dropQueue(amqpUrl, names.queue);
        return r;
      };
      celeryPrefork = [await py(1), await py(2)];
    }
    return { rounds, tasks, threads, processes, celeryTasks, celeryPrefork };
  }

  /** The peers' producers: BullMQ `add()` with the same window, Celery's `apply_async` loop. */
  async producers(n: number, celeryN: number): Promise<{ bullmq: Throughput; celery: number | null }> {
    const { redisUrl, amqpUrl, window } = this.options;
    this.log(`producers: BullMQ add (${n.toLocaleString('en-US')})${this.celery ? `, Celery apply_async (${celeryN.toLocaleString('en-US')})` : ''}`);
    const bullQueue = this.res.bullQueue('produce');
    const bullmq = await bullProduce(redisUrl, this.res.bullPrefix, bullQueue, n, window);
    await this.res.bullDrop(redisUrl, bullQueue);
    let celery: number | null = null;
    if (this.celery) {
      const names = this.res.app('produce_py');
      celery = (await celeryDrive<{ rate: number }>(amqpUrl, names, null, ['produce', String(celeryN)])).rate;
      await this.res.dropQueue(amqpUrl, names.queue);
    }
    return { bullmq, celery };
  }

  /** Sequential round trips: BullMQ `add` + `waitUntilFinished`; Celery `delay().get()` on rpc with a prefork -c 2 worker. */
  async roundTrips(count: number, warmup: number): Promise<{ bullmq: number[]; celery: number[] | null }> {
    const { redisUrl, amqpUrl } = this.options;
    this.log(`round trips (${count} sequential each): BullMQ${this.celery ? ', Celery rpc' : ''}`);
    const bullQueue = this.res.bullQueue('rtt');
    const bullmq = await bullRoundTrips(redisUrl, this.res.bullPrefix, bullQueue, count, warmup);
    let celery: number[] | null = null;
    if (this.celery) {
      const names = this.res.app('rtt_py');
      const worker = new CeleryWorker(amqpUrl, names, 'prefork', 2, 'rpc://');
      try {
        await worker.ready(amqpUrl);
        celery = (await celeryDrive<{ latencies: number[] }>(amqpUrl, names, 'rpc://', ['rtt', String(count), String(warmup)])).latencies;
      } finally {
        await worker.stop();
      }
    }
    return { bullmq, celery };
  }

  async #celeryDrain(label: string, n: number, pool: CeleryPool, concurrency: number): Promise<CeleryRun> {
    const names = this.res.app(label);
    await this.#fill(names, n);
    const run = await celeryDrain(this.options.amqpUrl, names, n, pool, concurrency);
    await this.res.dropQueue(this.options.amqpUrl, names.queue);
    return run;
  }

  async #fill(names: AppNames, n: number): Promise<Throughput> {
    return fillQueue(this.options.amqpUrl, names, n, this.options.window);
  }


  /** Sends `n` no-op tasks as fast as the window allows and returns their ids. */
  async #send(names: AppNames, n: number): Promise<string[]> {
    const { app, noop } = benchApp(this.options.amqpUrl, names, null);
    try {
      await app.connect();
      const ids: string[] = [];
      for (let sent = 0; sent < n;) {
        const size = Math.min(this.options.window, n - sent);
        const batch = await Promise.all(Array.from({ length: size }, (_, i) => noop.delay(sent + i)));
        for (const r of batch) ids.push(r.id);
        sent += size;
      }
      return ids;
    } finally {
      await app.close();
    }
  }

  async #fillCpu(names: AppNames, tasks: number, rounds: number): Promise<string[]> {
    const { app } = benchApp(this.options.amqpUrl, names, null);
    try {
      await app.connect();
      return (await Promise.all(Array.from({ length: tasks }, () => app.sendTask('bench.cpu', [rounds])))).map((r) => r.id);
    } finally {
      await app.close();
    }
  }
}

/** Whether every id has a result document in Redis yet (one round trip per call; results arrive roughly in order, so only the ids from the first missing one on are asked). */
class ResultKeys {
  readonly #redis: Redis;
  #next = 0;
  constructor(redisUrl: string, private readonly ids: readonly string[]) {
    this.#redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  }

  async allStored(): Promise<boolean> {
    const batch = this.ids.slice(this.#next, this.#next + 200);
    const pipe = this.#redis.pipeline();
    for (const id of batch) pipe.exists(`celery-task-meta-${id}`);
    const found = (await pipe.exec()) ?? [];
    let k = 0;
    while (k < found.length && found[k]![1] === 1) k++;
    this.#next += k;
    return this.#next >= this.ids.length;
  }

  close(): void {
    this.#redis.disconnect();
  }
}

/** Polls Redis until every id has a result document; returns `Date.now()` when the last one was seen. */
async function waitForResults(redisUrl: string, ids: readonly string[], check: () => void): Promise<number> {
  const results = new ResultKeys(redisUrl, ids);
  try {
    const deadline = Date.now() + 600_000;
    while (!(await results.allStored())) {
      check();
      if (Date.now() > deadline) throw new Error('Celery end to end: results still missing after 10 min');
      await sleep(10);
    }
    return Date.now();
  } finally {
    results.close();
  }
}
