/**
 * SIGTERM / SIGINT for the long-running commands (worker, beat, events), on the worker's own
 * signal handling: the first signal logs why the process stops and runs `warm`, then exits 0;
 * a second one exits 1 at once (unacknowledged tasks go back to their queue when the connection
 * closes). `shutdown(reason)` runs the same warm shutdown without a signal (a remote `shutdown`).
 */
import type { Logger } from '../util/logger.js';
import { installShutdownSignals } from '../worker/shutdown-signals.js';

export interface ShutdownHandle {
  /** Resolves once the warm shutdown finished (whatever started it). */
  readonly done: Promise<void>;
  shutdown(reason: string): Promise<void>;
}

export function onShutdownSignals(logger: Logger, what: string, warm: () => Promise<void>): ShutdownHandle {
  let running: Promise<void> | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const run = () => (running ??= warm().finally(() => {
    remove();
    resolveDone();
  }));
  const remove = installShutdownSignals(logger, {
    warm: () => run().catch((err: unknown) => {
      logger.error(`shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    }),
    cold: async () => undefined, // exiting closes the connection: the broker requeues what was not acked
  }, what);
  return {
    done,
    shutdown(reason) {
      if (running === null) logger.warn(`${reason}: warm shutdown (${what})`);
      return run();
    },
  };
}
