/** Small measuring helpers. Pure. */

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
