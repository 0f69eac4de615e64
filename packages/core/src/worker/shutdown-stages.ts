/**
 * The waiting part of a worker shutdown, in Celery 5.5's stages:
 *
 * - warm: running tasks finish (Celeriac bounds the wait by `shutdownTimeout`);
 * - soft: the start of a cold shutdown when `softShutdownTimeout` is set: running tasks get that
 *   many more seconds (skipped when none runs, unless `softShutdownOnIdle`);
 * - cold: what still runs is stopped (the worker does that after `run()` returns).
 *
 * A cold request during the warm wait ends it (going through soft first); a second cold request
 * during the soft wait ends that. The hard stage (exit now) belongs to the signal handlers.
 */
import type { Logger } from '../util/logger.js';

export interface ShutdownWaits {
  running(): number;
  /** Resolves when no task runs. */
  idle(): Promise<void>;
  warmTimeoutMs: number;
}

export class ShutdownStages {
  /** The whole shutdown, set by the worker. */
  done: Promise<void> = Promise.resolve();
  #requested: 'warm' | 'cold';
  #phase: 'warm' | 'soft' | 'cold' = 'warm';
  #wake: (() => void) | null = null;

  constructor(requested: 'warm' | 'cold', private readonly o: { logger: Logger; softSeconds: number; softOnIdle: boolean }) {
    this.#requested = requested;
  }

  get phase(): 'warm' | 'soft' | 'cold' {
    return this.#phase;
  }

  escalate(stage: 'warm' | 'cold'): void {
    if (stage !== 'cold') return;
    if (this.#requested === 'warm' || this.#phase === 'soft') {
      this.#requested = 'cold';
      this.#wake?.();
    }
  }

  async run(w: ShutdownWaits): Promise<void> {
    if (this.#requested === 'warm' && w.running() > 0) {
      this.o.logger.warn(`Warm shutdown: waiting up to ${w.warmTimeoutMs} ms for ${w.running()} running task(s)`);
      const how = await this.#wait(w.idle(), w.warmTimeoutMs);
      if (how === 'timeout') this.o.logger.warn(`warm shutdown: running tasks did not finish within ${w.warmTimeoutMs} ms`);
    }
    if (this.#requested === 'warm' || (w.running() === 0 && !this.o.softOnIdle)) {
      this.#phase = 'cold';
      return;
    }
    if (this.o.softSeconds > 0 && (w.running() > 0 || this.o.softOnIdle)) {
      this.#phase = 'soft';
      this.o.logger.warn(`Initiating Soft Shutdown, terminating in ${this.o.softSeconds} seconds`);
      await this.#wait(w.running() > 0 ? w.idle() : new Promise<void>(() => undefined), this.o.softSeconds * 1000);
    }
    this.#phase = 'cold';
  }

  #wait(idle: Promise<void>, ms: number): Promise<'idle' | 'timeout' | 'woken'> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      idle.then(() => 'idle' as const),
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms))),
      new Promise<'woken'>((r) => (this.#wake = () => r('woken'))),
    ]).finally(() => {
      clearTimeout(timer);
      this.#wake = null;
    });
  }
}
