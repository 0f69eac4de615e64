/**
 * SIGTERM / SIGINT for long-running commands (worker, beat, events): the first signal logs why
 * the process stops and runs a warm shutdown, then exits 0; a second one exits 1 at once
 * (unacknowledged tasks go back to their queue when the connection closes).
 */
import type { Logger } from '../util/logger.js';

export interface ShutdownHandle {
  /** Resolves once the warm shutdown finished (whatever started it). */
  readonly done: Promise<void>;
  /** Starts the warm shutdown without a signal (a remote `shutdown`, for example). */
  shutdown(reason: string): Promise<void>;
}

export function onShutdownSignals(logger: Logger, what: string, warm: () => Promise<void>): ShutdownHandle {
  let running: Promise<void> | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const shutdown = (reason: string) => {
    running ??= (async () => {
      logger.warn(`${reason}: warm shutdown (${what}; send the signal again to stop at once)`);
      try {
        await warm();
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolveDone();
      }
    })();
    return running;
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (running === null) {
      void shutdown(`${sig} received`).then(() => process.exit(0), (err: unknown) => {
        logger.error(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      });
      return;
    }
    logger.warn(`${sig} received again: cold shutdown, unfinished tasks go back to the queue`);
    process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { done, shutdown };
}
