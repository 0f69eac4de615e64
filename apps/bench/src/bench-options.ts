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
  /** Folder for `bench-<date>.json`; null writes nothing. @defaultValue '<repo>/bench-results' */
  outDir: string | null;
}

const FULL = { n: 50_000, roundTrips: 2_000, rssTasks: 10_000, flatDepths: [1_000, 100_000] as const };
const SMOKE = { n: 500, roundTrips: 50, rssTasks: 500, flatDepths: [100, 500] as const };

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
    outDir: env.BENCH_OUT_DIR === '' ? null : env.BENCH_OUT_DIR ?? defaultOutDir,
  };
}

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}
