/**
 * SIGTERM / SIGINT / SIGQUIT for the long-running commands (worker, beat, events), on the
 * worker's own signal handling (Celery 5.5's stages, see `worker/shutdown-signals.ts`): the
 * first stage runs `stop('warm')` (or `stop('cold')` for SIGQUIT, or SIGTERM with
 * `REMAP_SIGTERM=SIGQUIT`), a later signal `stop('cold')` while it runs, and the last exits at
 * once. `shutdown(reason)` runs the warm stage without a signal (a remote `shutdown`).
 */
import type { Logger } from '../util/logger.js';
import { installShutdownSignals } from '../worker/shutdown-signals.js';

export interface ShutdownHandle {
  /** Resolves once the shutdown finished (whatever started it). */
  readonly done: Promise<void>;
  shutdown(reason: string): Promise<void>;
}

/**
 * `stop(stage)` runs once, with the first stage asked for; `escalate` is called when a cold
 * stage is asked for while it runs (the worker stops its running tasks), `hard` before the
 * process exits at once.
 */
export function onShutdownSignals(
  logger: Logger, what: string, stop: (stage: 'warm' | 'cold') => Promise<void>, more: { escalate?(): void; hard?(): void } = {},
): ShutdownHandle {
  let running: Promise<void> | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const run = (stage: 'warm' | 'cold') => {
    if (running) {
      if (stage === 'cold') more.escalate?.();
      return running;
    }
    return (running = stop(stage).finally(() => {
      remove();
      resolveDone();
    }));
  };
  const remove = installShutdownSignals(logger, {
    shutdown: (stage) => run(stage).catch((err: unknown) => {
      logger.error(`shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    }),
    hard: () => more.hard?.(),
  }, what);
  return {
    done,
    shutdown(reason) {
      if (running === null) logger.warn(`${reason}: warm shutdown (${what})`);
      return run('warm');
    },
  };
}
