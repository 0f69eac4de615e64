/**
 * Starting a `TaskMonitor` for a router: a broker that is down at start-up must not leave the
 * dashboard or the metrics blind, so a failed start is logged and retried until it works or
 * the router is closed.
 */
import type { CeleriacApp } from '@celeriac/core';
import type { TaskMonitor } from './task-monitor.js';

export interface MonitorLifecycle {
  /** Resolves once the monitor receives events (rejects if the first start failed; it is retried anyway). */
  readonly ready: Promise<void>;
  /** Stops retrying, and stops the monitor when `owned`. */
  close(): Promise<void>;
}

export function startMonitor(monitor: TaskMonitor, app: CeleriacApp, options: { retryMs: number; owned: boolean }): MonitorLifecycle {
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const start = (): Promise<void> => monitor.start().catch((err: unknown) => {
    app.logger.error(`celeriac router: the task monitor could not start (retrying in ${options.retryMs} ms): ${(err as Error).message}`);
    if (!closed) {
      retry = setTimeout(() => void start().catch(() => undefined), options.retryMs);
      retry.unref();
    }
    throw err;
  });
  const ready = start();
  ready.catch(() => undefined); // logged above; callers awaiting `ready` still see the rejection
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(retry);
      if (options.owned) await monitor.stop();
    },
  };
}
