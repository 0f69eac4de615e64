/**
 * Labelled Prometheus series (counter, gauge, histogram) kept in memory and written in the
 * text exposition format 0.0.4. Series can be removed by a label value (a worker that went
 * away), as Flower does. Pure, no I/O.
 */
import { labels } from './metrics.js';

/** Prometheus client's default histogram buckets (Flower's default for task runtimes). */
export const PROMETHEUS_DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

abstract class Series<V> {
  protected readonly series = new Map<string, { labels: string[]; value: V }>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  protected entry(values: readonly string[], init: () => V): { labels: string[]; value: V } {
    const key = values.join('\u0000');
    let e = this.series.get(key);
    if (!e) {
      e = { labels: [...values], value: init() };
      this.series.set(key, e);
    }
    return e;
  }

  /** Drops every series whose label `label` is one of `values`; returns how many went. */
  removeWhere(label: string, values: ReadonlySet<string>): number {
    const i = this.labelNames.indexOf(label);
    let n = 0;
    for (const [key, e] of this.series) {
      if (i >= 0 && values.has(e.labels[i]!)) {
        this.series.delete(key);
        n++;
      }
    }
    return n;
  }

  /** Distinct values of one label. */
  valuesOf(label: string): Set<string> {
    const i = this.labelNames.indexOf(label);
    return new Set([...this.series.values()].map((e) => e.labels[i]!));
  }

  protected labelText(values: readonly string[], extra: Record<string, string> = {}): string {
    return labels({ ...Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]!])), ...extra });
  }

  abstract render(): string[];
}

export class LabeledCounter extends Series<number> {
  inc(values: readonly string[], by = 1): void {
    this.entry(values, () => 0).value += by;
  }

  get(values: readonly string[]): number {
    return this.series.get(values.join('\u0000'))?.value ?? 0;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const e of this.series.values()) out.push(`${this.name}${this.labelText(e.labels)} ${num(e.value)}`);
    return out;
  }
}

export class LabeledGauge extends Series<number> {
  set(values: readonly string[], value: number): void {
    this.entry(values, () => 0).value = value;
  }

  inc(values: readonly string[], by = 1): void {
    this.entry(values, () => 0).value += by;
  }

  get(values: readonly string[]): number | undefined {
    return this.series.get(values.join('\u0000'))?.value;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const e of this.series.values()) out.push(`${this.name}${this.labelText(e.labels)} ${num(e.value)}`);
    return out;
  }
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class LabeledHistogram extends Series<Histogram> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = PROMETHEUS_DEFAULT_BUCKETS) {
    super(name, help, labelNames);
    this.buckets = [...buckets].filter(Number.isFinite).sort((a, b) => a - b);
  }

  observe(values: readonly string[], v: number): void {
    if (!Number.isFinite(v)) return;
    const h = this.entry(values, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) h.counts[i]!++;
    h.sum += v;
    h.count++;
  }

  count(values: readonly string[]): number {
    return this.series.get(values.join('\u0000'))?.value.count ?? 0;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels: l, value: h } of this.series.values()) {
      this.buckets.forEach((le, i) => out.push(`${this.name}_bucket${this.labelText(l, { le: num(le) })} ${h.counts[i]}`));
      out.push(`${this.name}_bucket${this.labelText(l, { le: '+Inf' })} ${h.count}`);
      out.push(`${this.name}_sum${this.labelText(l)} ${num(h.sum)}`);
      out.push(`${this.name}_count${this.labelText(l)} ${h.count}`);
    }
    return out;
  }
}

function num(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return Number.isNaN(n) ? 'NaN' : String(n);
}
