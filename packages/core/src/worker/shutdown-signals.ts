/**
 * SIGTERM / SIGINT for a worker run from the command line, as Celery does: the first signal is
 * a warm shutdown (finish running tasks, then exit 0), the second a cold one (unfinished tasks
 * go back to the queue at once, exit 1).
 */
import type { Logger } from '../util/logger.js';

export interface ShutdownActions {
  warm(): Promise<void>;
  cold(): Promise<void>;
}

/** Installs the handlers; returns the function that removes them. `what` says what the warm shutdown does. */
export function installShutdownSignals(logger: Logger, actions: ShutdownActions, what = 'finishing running tasks'): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      logger.warn(`${sig} received: warm shutdown (${what}; send again to stop at once)`);
      void actions.warm().then(() => process.exit(0));
    } else {
      logger.warn(`${sig} received again: cold shutdown, unfinished tasks go back to the queue`);
      void actions.cold().finally(() => process.exit(1));
    }
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
