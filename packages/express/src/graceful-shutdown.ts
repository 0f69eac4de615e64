/**
 * `gracefulShutdown({ server, app, worker })`: on SIGTERM (what Kubernetes, Docker and systemd
 * send) or SIGINT, stop taking HTTP connections, let the in-process worker finish the tasks it
 * runs (nothing is killed mid-way; what it had prefetched goes back to the queue), let the
 * requests in flight answer, close the routers and the app, then exit 0. A second signal exits
 * 1 at once; unfinished tasks then return to their queue because they were never acknowledged.
 */
import type { Server } from 'node:http';
import type { CeleriacApp, Worker } from '@celeriac/core';

export interface GracefulShutdownOptions {
  /** The server `listen()` returned. */
  server: Server;
  /** The Celeriac app, closed last (requests in flight may still send tasks). */
  app: CeleriacApp;
  /** An in-process worker: it stops consuming and finishes its running tasks (up to its `shutdownTimeout`). */
  worker?: Worker | null;
  /** Routers from `createTaskRouter()`, closed after the HTTP server. @defaultValue [] */
  routers?: readonly { close(): Promise<void> }[];
  /** Signals that start the shutdown. @defaultValue ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[];
  /** Longest wait in ms for requests in flight before their connections are cut. @defaultValue 10000 */
  httpTimeout?: number;
  /** Exit the process when done: 0, or 1 if a step failed. false leaves the process to end by itself. @defaultValue true */
  exit?: boolean;
  /** Where each step is reported. @defaultValue the app's logger (info) */
  log?: (message: string) => void;
}

export interface GracefulShutdown {
  /** Runs the shutdown now (also what a signal does); the same promise on every call. */
  shutdown(reason?: string): Promise<void>;
  /** Removes the signal listeners (for tests, or to hand signals to something else). */
  dispose(): void;
}

function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export function gracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { server, app, worker = null, routers = [], signals = ['SIGTERM', 'SIGINT'], httpTimeout = 10_000, exit = true } = options;
  const log = options.log ?? ((m: string) => app.logger.info(m));
  let running: Promise<void> | null = null;

  const shutdown = (reason = 'shutdown requested'): Promise<void> => {
    running ??= (async () => {
      log(`${reason}: graceful shutdown (no new HTTP connections; ${worker ? 'finishing running tasks, ' : ''}then closing)`);
      let failed = false;
      const step = async (what: string, work: () => Promise<void>) => {
        try {
          await work();
        } catch (err) {
          failed = true;
          app.logger.error(`graceful shutdown: ${what} failed: ${(err as Error).message}`);
        }
      };
      // HTTP and the worker drain side by side; the app stays open until both are done
      await Promise.all([
        step('closing the HTTP server', () => closeServer(server, httpTimeout)),
        worker ? step('stopping the worker', () => worker.stop()) : Promise.resolve(),
      ]);
      for (const router of routers) await step('closing a task router', () => router.close());
      await step('closing the Celeriac app', () => app.close());
      log('graceful shutdown: done');
      dispose();
      if (exit) process.exit(failed ? 1 : 0);
    })();
    return running;
  };

  const onSignal = (sig: NodeJS.Signals) => {
    if (running === null) {
      void shutdown(`${sig} received`);
      return;
    }
    app.logger.warn(`${sig} received again: exiting now; unfinished tasks go back to their queue`);
    process.exit(1);
  };
  const dispose = () => {
    for (const s of signals) process.off(s, onSignal);
  };
  for (const s of signals) process.on(s, onSignal);
  return { shutdown, dispose };
}
