/**
 * Celery's autoscaler (`--autoscale max,min`): once a second, the pool grows to the number of
 * tasks the worker holds (running and reserved, capped at `max`) and, when it has not grown for
 * `keepaliveMs` (Celery's AUTOSCALE_KEEPALIVE, 30 s), shrinks towards that number (never below
 * `min`). The prefetch window follows `max`, so enough tasks arrive to show the demand.
 */
export interface AutoscaleTarget {
  /** Tasks held: running plus reserved. */
  demand(): number;
  /** The pool's current size. */
  size(): number;
  resize(size: number, why: string): void;
  /** The largest size changed: the prefetch window follows it. */
  maxChanged(max: number): void;
}

export class Autoscaler {
  #timer: NodeJS.Timeout | null = null;
  #lastGrowth = 0;

  constructor(private readonly target: AutoscaleTarget, public max: number, public min: number, private readonly keepaliveMs = 30_000, private readonly now = () => Date.now()) {}

  start(): void {
    this.#timer ??= setInterval(() => this.step(), 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One decision (the timer calls it every second). */
  step(): void {
    const size = this.target.size();
    const demand = this.target.demand();
    const up = Math.min(demand, this.max);
    if (up > size) {
      this.#lastGrowth = this.now();
      this.target.resize(up, `scaling up ${up - size}`);
      return;
    }
    const down = Math.max(demand, this.min);
    if (down < size && this.now() - this.#lastGrowth > this.keepaliveMs) this.target.resize(down, `scaling down ${size - down}`);
  }

  /** Remote control `autoscale max min`: new bounds, applied at once where the size is outside them. */
  update(max: number | null, min: number | null): { max: number; min: number } {
    if (max !== null) {
      if (max < this.target.size()) this.target.resize(max, `scaling down ${this.target.size() - max}`);
      if (max !== this.max) this.target.maxChanged(max);
      this.max = max;
    }
    if (min !== null) {
      if (min > this.target.size()) this.target.resize(min, `scaling up ${min - this.target.size()}`);
      this.min = min;
    }
    return { max: this.max, min: this.min };
  }

  info(): { max: number; min: number; current: number; qty: number } {
    return { max: this.max, min: this.min, current: this.target.size(), qty: this.target.demand() };
  }
}

/** How long the pool must not have grown before it shrinks: Celery's AUTOSCALE_KEEPALIVE (seconds, default 30). */
function keepaliveMs(): number {
  const s = Number(process.env.AUTOSCALE_KEEPALIVE ?? 30);
  return (Number.isFinite(s) && s > 0 ? s : 30) * 1000;
}

/** The autoscaler for `--autoscale max,min`, or null without it (a pool never goes below one). */
export function createAutoscaler(range: readonly [number, number] | null, target: AutoscaleTarget): Autoscaler | null {
  return range ? new Autoscaler(target, range[0], Math.max(1, range[1]), keepaliveMs()) : null;
}
