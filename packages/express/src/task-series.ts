/**
 * Task throughput and runtime over time, for the dashboard's charts: per time step (10 s by
 * default, an hour kept), how many tasks were received, succeeded, failed and retried, and the
 * mean and longest runtime of those that finished. Fed with Celery events. Pure, no I/O.
 */
import type { CeleryEvent } from '@celeriac/core';

export interface SeriesPoint {
  /** Start of the step, Unix seconds. */
  t: number;
  received: number;
  succeeded: number;
  failed: number;
  retried: number;
  /** Mean runtime (seconds) of the tasks that finished in this step; null when none did. */
  runtimeAvg: number | null;
  runtimeMax: number | null;
}

interface Bucket {
  step: number;
  received: number;
  succeeded: number;
  failed: number;
  retried: number;
  runtimeSum: number;
  runtimeCount: number;
  runtimeMax: number;
}

export class TaskSeries {
  readonly #ring: (Bucket | null)[];

  constructor(readonly stepSeconds = 10, readonly steps = 360) {
    this.#ring = new Array<Bucket | null>(steps).fill(null);
  }

  observe(event: CeleryEvent): void {
    const kind = event.type;
    if (kind !== 'task-received' && kind !== 'task-succeeded' && kind !== 'task-failed' && kind !== 'task-retried') return;
    const ts = typeof event.timestamp === 'number' && Number.isFinite(event.timestamp) ? event.timestamp : Date.now() / 1000;
    const b = this.#bucket(Math.floor(ts / this.stepSeconds));
    if (!b) return;
    if (kind === 'task-received') b.received++;
    else if (kind === 'task-retried') b.retried++;
    else {
      if (kind === 'task-succeeded') b.succeeded++;
      else b.failed++;
      if (typeof event.runtime === 'number' && Number.isFinite(event.runtime) && event.runtime >= 0) {
        b.runtimeSum += event.runtime;
        b.runtimeCount++;
        b.runtimeMax = Math.max(b.runtimeMax, event.runtime);
      }
    }
  }

  /** The last `count` steps up to `now` (Unix ms), oldest first, empty steps included. */
  points(count: number = this.steps, now: number = Date.now()): SeriesPoint[] {
    const last = Math.floor(now / 1000 / this.stepSeconds);
    const n = Math.max(1, Math.min(count, this.steps));
    const out: SeriesPoint[] = [];
    for (let step = last - n + 1; step <= last; step++) {
      const b = this.#ring[mod(step, this.steps)];
      const live = b && b.step === step ? b : null;
      out.push({
        t: step * this.stepSeconds,
        received: live?.received ?? 0,
        succeeded: live?.succeeded ?? 0,
        failed: live?.failed ?? 0,
        retried: live?.retried ?? 0,
        runtimeAvg: live && live.runtimeCount > 0 ? live.runtimeSum / live.runtimeCount : null,
        runtimeMax: live && live.runtimeCount > 0 ? live.runtimeMax : null,
      });
    }
    return out;
  }

  #bucket(step: number): Bucket | null {
    const i = mod(step, this.steps);
    const b = this.#ring[i];
    if (b && b.step === step) return b;
    if (b && b.step > step) return null; // older than what the ring keeps
    const fresh: Bucket = { step, received: 0, succeeded: 0, failed: 0, retried: 0, runtimeSum: 0, runtimeCount: 0, runtimeMax: 0 };
    this.#ring[i] = fresh;
    return fresh;
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
