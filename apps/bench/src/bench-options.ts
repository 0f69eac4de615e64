/**
 * What one bench run does: sizes for the full run and the smoke run, read from the
 * environment (`BENCH_SMOKE=1`, `BENCH_N`, `BENCH_WINDOW`, `BENCH_ROUND_TRIPS`,
 * `AMQP_URL`, `REDIS_URL`, `BENCH_OUT_DIR`).
 */

export interface BenchOptions {
  /** @defaultValue 'amqp://guest:guest@127.0.0.1:5672' */
  amqpUrl: string;
  /** `REDIS_URL`, else database 11; the bench deletes every key it writes. @defaultValue 'redis://127.0.0.1:6379/11' */
  redisUrl: string;
  /** Small sizes that finish in seconds (CI keeps the bench working, not fast). @defaultValue false */
  smoke: boolean;
  /** Messages per producer / worker throughput run. @defaultValue 50000 (smoke: 500) */
  n: number;
  /** Worker concurrencies swept; the raw consumer uses the same prefetch (4 × concurrency). @defaultValue [1, 16, 128] */
  concurrency: readonly number[];
  /** Publishes in flight: both the raw publisher and `Promise.all` batches of `delay()`. @defaultValue 1000 */
  window: number;
  /** Sequential `delay().get()` round trips per backend, after 10% warm-up. @defaultValue 2000 (smoke: 50) */
  roundTrips: number;
  /** Tasks queued before the memory-measured worker starts. @defaultValue 10000 (smoke: 500) */
  rssTasks: number;
  /** Queue depths compared for flat throughput. @defaultValue [1000, 100000] (smoke: [100, 500]) */
  flatDepths: readonly [number, number];
  /** Concurrency of the memory and flatness workers. @defaultValue 16 */
  flatConcurrency: number;
  /** Tasks queued for the own-process drain of raw, Celeriac and BullMQ (the worker-drain target). @defaultValue 30000 (smoke: 300) */
  drainN: number;
  /** Concurrency of the own-process drain; prefetch is 4x. @defaultValue 16 */
  drainConcurrency: number;
  /** Tasks the Python Celery workers drain (about 20x slower than Node). @defaultValue 5000 (smoke: 100) */
  celeryTasks: number;
  /** Tasks sent end to end with results in Redis (Celeriac, BullMQ). @defaultValue 20000 (smoke: 300) */
  e2eN: number;
  /** Tasks sent end to end to the Python Celery worker. @defaultValue 3000 (smoke: 100) */
  celeryE2eN: number;
  /** Rounds of `bench.cpu(n)` per CPU-bound task. @defaultValue 3000000 (smoke: 100000) */
  cpuRounds: number;
  /** CPU-bound tasks per Celeriac pool run. @defaultValue 300 (smoke: 4) */
  cpuTasks: number;
  /** CPU-bound tasks per Python Celery run (the same work takes ~100x longer in Python). @defaultValue 8 (smoke: 2) */
  celeryCpuTasks: number;
  /** Sequential round trips of the peers (BullMQ, Celery). @defaultValue 1000 (smoke: 30) */
  peerRoundTrips: number;
  /** Folder for `bench-<date>.json`; null writes nothing. @defaultValue '<repo>/bench-results' */
  outDir: string | null;
}

const FULL = {
  n: 50_000, roundTrips: 2_000, rssTasks: 10_000, flatDepths: [1_000, 100_000] as readonly [number, number],
  drainN: 30_000, celeryTasks: 5_000, e2eN: 20_000, celeryE2eN: 3_000, cpuRounds: 3_000_000, cpuTasks: 300, celeryCpuTasks: 8, peerRoundTrips: 1_000,
};
const SMOKE: typeof FULL = {
  n: 500, roundTrips: 50, rssTasks: 500, flatDepths: [100, 500] as readonly [number, number],
  drainN: 300, celeryTasks: 100, e2eN: 300, celeryE2eN: 100, cpuRounds: 100_000, cpuTasks: 4, celeryCpuTasks: 2, peerRoundTrips: 30,
};

export function benchOptionsFromEnv(env: NodeJS.ProcessEnv, defaultOutDir: string | null): BenchOptions {
  const smoke = env.BENCH_SMOKE === '1' || env.BENCH_SMOKE === 'true';
  const sizes = smoke ? SMOKE : FULL;
  return {
    amqpUrl: env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379/11',
    smoke,
    n: positiveInt(env.BENCH_N, 'BENCH_N') ?? sizes.n,
    concurrency: [1, 16, 128],
    window: positiveInt(env.BENCH_WINDOW, 'BENCH_WINDOW') ?? 1_000,
    roundTrips: positiveInt(env.BENCH_ROUND_TRIPS, 'BENCH_ROUND_TRIPS') ?? sizes.roundTrips,
    rssTasks: sizes.rssTasks,
    flatDepths: sizes.flatDepths,
    flatConcurrency: 16,
    drainN: sizes.drainN,
    drainConcurrency: 16,
    celeryTasks: sizes.celeryTasks,
    e2eN: sizes.e2eN,
    celeryE2eN: sizes.celeryE2eN,
    cpuRounds: sizes.cpuRounds,
    cpuTasks: sizes.cpuTasks,
    celeryCpuTasks: sizes.celeryCpuTasks,
    peerRoundTrips: sizes.peerRoundTrips,
    outDir: env.BENCH_OUT_DIR === '' ? null : env.BENCH_OUT_DIR ?? defaultOutDir,
  };
}

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}
