/**
 * The worker side of a scenario in a process of its own (`child.js`, next to this file once
 * built): what the bench tells it (`ChildConfig`, in `BENCH_CHILD`) and what it prints back,
 * one JSON line each: `{"ready":true}` once it consumes, `ChildProgress` lines if asked, then the `ChildReport`.
 */
import type { AppNames } from './bench-resources.js';

export type ChildConfig =
  /** Raw amqplib: consume + JSON-decode the body + ack, one message at a time. */
  | { kind: 'raw'; amqpUrl: string; queue: string; n: number; prefetch: number }
  /** A Celeriac worker (async pool) on a no-op task; `backend` stores results (end to end). */
  | { kind: 'celeriac'; amqpUrl: string; names: AppNames; n: number; concurrency: number; backend: string | null; resultExpires?: number; progressMs?: number }
  /** A Celeriac worker on `bench.cpu` (cpu-tasks.js) with the threads or processes pool. */
  | { kind: 'celeriac-cpu'; amqpUrl: string; names: AppNames; n: number; concurrency: number; pool: 'threads' | 'processes' }
  /** A BullMQ Worker with a no-op processor; `keepResults` keeps completed jobs (their return values). */
  | { kind: 'bullmq'; redisUrl: string; prefix: string; queue: string; n: number; concurrency: number; keepResults: boolean };

/** Printed every `progressMs` when asked (the soak): tasks done so far and the RSS now. */
export interface ChildProgress {
  progress: { done: number; rssMb: number; atMs: number };
}

/** Tasks not measured at the start of a drain, for every worker alike (the JIT, connections, pools warm up): 10%. */
export function warmUpTasks(n: number): number {
  return Math.floor(n / 10);
}

export interface ChildReport {
  /** Tasks per second from the arrival of the first task after the warm-up (`warmUpTasks`) to the last one finished. */
  rate: number;
  ms: number;
  /** This process's user + system CPU per measured task, microseconds (pool threads included, pool child processes not). */
  cpuUsPerMessage: number;
  /** `Date.now()` when the last task finished (end-to-end runs compare it with the producer's start). */
  lastAt: number;
  idleMb: number;
  /** max(RSS sampled every 20 ms, the kernel's maxrss). */
  peakRssMb: number;
}
