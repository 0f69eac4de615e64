/**
 * The CPU-bound sample task module for pool benchmarks (`-P threads` / `-P processes`): each pool
 * child imports it and takes `app`. `bench.cpu(n)` does n rounds of a fixed integer hash, pure
 * computation with no I/O, so Python's prefork can run the same work (the same loop in Python)
 * for a comparison. Run it with:
 *   celeriac worker -A apps/bench/dist/cpu-tasks.js -P processes -c 2
 * The queue comes from BENCH_CPU_QUEUE (default `bench_cpu`), the broker from AMQP_URL, the result
 * backend from BENCH_CPU_BACKEND (`none`: no results; default `rpc://`), the control exchange from BENCH_CPU_NS.
 */
import { createApp } from '@celeriac/core';

/** n rounds of a 32-bit FNV-1a-style mix; the result depends on every round, so nothing is optimised away. */
export function cpuWork(n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    h ^= i & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export const app = createApp({
  broker: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  backend: process.env.BENCH_CPU_BACKEND === 'none' ? null : process.env.BENCH_CPU_BACKEND ?? 'rpc://',
  defaultQueue: process.env.BENCH_CPU_QUEUE ?? 'bench_cpu',
  // the bench gives each run its own control and event exchanges
  // the bench's worker runs quiet (BENCH_CPU_QUIET=1): a log line per task would be measured too
  ...(process.env.BENCH_CPU_QUIET === '1' ? { logger: { debug() {}, info() {}, warn() {}, error() {}, isLevelEnabled: () => false } } : {}),
  ...(process.env.BENCH_CPU_NS ? { controlExchange: process.env.BENCH_CPU_NS, eventExchange: `${process.env.BENCH_CPU_NS}_ev` } : {}),
});

app.task('bench.cpu', (n: number) => cpuWork(n), { params: ['n'] });
