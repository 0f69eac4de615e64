/** Exponential backoff with full jitter in [50%, 100%] of the step, capped. Shared by reconnects and retries. */
export function backoffDelay(attempt: number, options: { baseMs: number; maxMs: number; jitter?: boolean; random?: () => number }): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  if (options.jitter === false) return step;
  const r = (options.random ?? Math.random)();
  return Math.round(step / 2 + (step / 2) * r);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
