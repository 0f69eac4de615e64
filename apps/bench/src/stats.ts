/** Small measuring helpers. */

/** A throughput measurement: messages per second, and this process's CPU time per message. */
export interface Throughput {
  rate: number;
  /** User + system CPU of the bench process per message, in microseconds (the client side; the broker is not counted). */
  cpuUsPerMessage: number;
}

/** Starts a throughput measurement of `n` messages; `stop()` at the end, or `stop(ms)` with a duration measured elsewhere. */
export function startThroughput(n: number): { stop(durationMs?: number): Throughput } {
  const startedAt = performance.now();
  const cpu = process.cpuUsage();
  return {
    stop(durationMs = elapsedMs(startedAt)) {
      const used = process.cpuUsage(cpu);
      return { rate: (n / Math.max(durationMs, 0.001)) * 1000, cpuUsPerMessage: (used.user + used.system) / n };
    },
  };
}

export function elapsedMs(startedAt: number): number {
  return Math.max(performance.now() - startedAt, 0.001);
}

/** Nearest-rank percentile (`p` in 0–100) of a non-empty sample. */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) throw new RangeError('percentile of an empty sample');
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(sample: readonly number[]): number {
  return percentile(sample, 50);
}

/** A URL as reports show it: user and password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
