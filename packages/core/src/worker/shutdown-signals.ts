/**
 * Signals for a worker run from the command line, as Celery 5.5 handles them:
 *
 * | signal | running | warm shutdown | soft / cold shutdown |
 * |---|---|---|---|
 * | SIGTERM | warm | ignored | ignored |
 * | SIGINT (Ctrl-C) | warm | cold (soft first) | hard |
 * | SIGQUIT | cold (soft first) | cold (soft first) | hard |
 *
 * With `REMAP_SIGTERM=SIGQUIT` in the environment, SIGTERM acts as SIGQUIT (Kubernetes sends
 * SIGTERM, then SIGKILL after the grace period). Warm exits 0, cold and hard exit 1.
 */
import type { Logger } from '../util/logger.js';

export interface ShutdownActions {
  shutdown(stage: 'warm' | 'cold'): Promise<void>;
  /** Kills what runs (pool children) before the process exits at once. */
  hard(): void;
}

/** Installs the handlers; returns the function that removes them. `what` says what the warm shutdown does. */
export function installShutdownSignals(logger: Logger, actions: ShutdownActions, what = 'running tasks finish', env: NodeJS.ProcessEnv = process.env): () => void {
  let stage: 'running' | 'warm' | 'cold' = 'running';
  const remapTerm = env.REMAP_SIGTERM === 'SIGQUIT';
  // the code says how it ended, not how it began: a warm shutdown turned cold exits 1
  const exit = () => process.exit(stage === 'warm' ? 0 : 1);
  const warm = (sig: string) => {
    stage = 'warm';
    logger.warn(`${sig} received: warm shutdown, ${what} (Ctrl-C again or SIGQUIT for a cold shutdown)`);
    void actions.shutdown('warm').then(exit, () => process.exit(1));
  };
  const cold = (sig: string) => {
    stage = 'cold';
    logger.warn(`${sig} received: cold shutdown, running tasks are stopped and go back to the queue (Ctrl-C again to exit at once)`);
    void actions.shutdown('cold').finally(exit);
  };
  const hard = (sig: string) => {
    logger.warn(`${sig} received: hard shutdown, exiting now`);
    actions.hard();
    process.exit(1);
  };
  const onQuit = (sig: string) => (stage === 'cold' ? hard(sig) : cold(sig));
  const handlers: Record<'SIGTERM' | 'SIGINT' | 'SIGQUIT', () => void> = {
    SIGTERM: () => {
      if (remapTerm) onQuit('SIGTERM (as SIGQUIT)');
      else if (stage === 'running') warm('SIGTERM');
      else logger.warn('SIGTERM received: already shutting down');
    },
    SIGINT: () => (stage === 'running' ? warm('SIGINT') : stage === 'warm' ? cold('SIGINT') : hard('SIGINT')),
    SIGQUIT: () => onQuit('SIGQUIT'),
  };
  for (const [sig, fn] of Object.entries(handlers)) process.on(sig, fn);
  return () => {
    for (const [sig, fn] of Object.entries(handlers)) process.off(sig, fn);
  };
}
