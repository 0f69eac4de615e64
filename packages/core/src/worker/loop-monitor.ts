/**
 * Watches the worker's event loop. A blocked loop sends no AMQP heartbeats, answers no remote
 * control and acks nothing: past two heartbeat intervals RabbitMQ drops the connection and
 * every unacknowledged task comes back. The monitor keeps the lag figures (for `liveness()`,
 * `inspect stats` and metrics) and reports each block longer than the threshold, with the tasks
 * that were running on the loop at the time (the `async` pool's).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { logText } from '../util/log-text.js';

export interface LoopLag {
  /** Milliseconds, over the last 10 to 20 seconds. */
  meanMs: number;
  p99Ms: number;
  maxMs: number;
  /** The longest single block seen since start, ms. */
  longestBlockMs: number;
  /** Blocks longer than the threshold since start. */
  blocks: number;
}

export interface LoopMonitorOptions {
  /** A block at least this long is reported. */
  thresholdMs: number;
  /** Called after each such block. */
  onBlocked(blockedMs: number): void;
}

const TICK_MS = 100;
/** The histogram figures cover the current window and the one before. */
const WINDOW_MS = 10_000;

export class LoopMonitor {
  readonly #histogram: IntervalHistogram;
  #timer: NodeJS.Timeout | null = null;
  #last = 0;
  #longest = 0;
  #blocks = 0;
  #windowStart = 0;
  #previous = { meanMs: 0, p99Ms: 0, maxMs: 0 };

  constructor(private readonly o: LoopMonitorOptions) {
    this.#histogram = monitorEventLoopDelay({ resolution: 20 });
  }

  start(): void {
    if (this.#timer) return;
    this.#histogram.enable();
    this.#last = performance.now();
    this.#windowStart = this.#last;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#histogram.disable();
  }

  lag(): LoopLag {
    const cur = this.#window();
    const prev = this.#previous;
    return {
      meanMs: cur.meanMs, p99Ms: Math.max(cur.p99Ms, prev.p99Ms), maxMs: Math.max(cur.maxMs, prev.maxMs), longestBlockMs: Math.round(this.#longest), blocks: this.#blocks,
    };
  }

  #window(): { meanMs: number; p99Ms: number; maxMs: number } {
    const h = this.#histogram;
    const ms = (ns: number) => (Number.isFinite(ns) && h.count > 0 ? Math.round(ns / 1e4) / 100 : 0);
    return { meanMs: ms(h.mean), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
  }

  #tick(): void {
    const now = performance.now();
    const blocked = now - this.#last - TICK_MS;
    this.#last = now;
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#previous = this.#window();
      this.#histogram.reset();
      this.#windowStart = now;
    }
    if (blocked < this.o.thresholdMs) return;
    this.#blocks++;
    this.#longest = Math.max(this.#longest, blocked);
    this.o.onBlocked(blocked);
  }
}

/**
 * The warning for a block of `ms`: the tasks on the loop during it (the async pool's, including
 * ones that ended since, as a block is only seen once it is over); one that started just before
 * the block is the one that blocked.
 */
export function blockedReport(ms: number, pool: { ranSince(since: number): { id: string; name: string; started: number }[] } | null): string {
  const since = Date.now() - ms - 150;
  const ran = pool?.ranSince(since) ?? [];
  const culprits = ran.filter((r) => r.started >= since - 150);
  const named = (culprits.length > 0 ? culprits : ran).slice(0, 5).map((r) => `${logText(r.name)}[${logText(r.id)}]`).join(', ');
  const what = named ? `while running ${named}` : 'with no task running on it';
  return `event loop blocked for ${(ms / 1000).toFixed(1)} s ${what}: no heartbeats, acks or remote control meanwhile (run CPU-bound tasks with -P threads or -P processes)`;
}
