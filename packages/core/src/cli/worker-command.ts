import { connectOrExplain, loadApp, type AppFlags } from './load-app.js';
import { banner } from './banner.js';
import { CliError, EXIT } from './cli-error.js';

export interface WorkerFlags extends AppFlags {
  queues?: string;
  concurrency?: string;
  hostname?: string;
  events?: boolean;
  prefetchMultiplier?: string;
  control?: boolean;
  acksEarly?: boolean;
  shutdownTimeout?: string;
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number, got ${v}`, EXIT.USAGE);
  return n;
}

/** `celeriac worker`: runs until SIGTERM/SIGINT (warm shutdown; a second signal stops at once) or a remote shutdown. */
export async function workerCommand(flags: WorkerFlags): Promise<void> {
  const { app } = await loadApp(flags);
  await connectOrExplain(app);
  const hostname = flags.hostname?.replace('%h', (await import('node:os')).hostname());
  const worker = app.worker({
    ...(flags.queues ? { queues: flags.queues.split(',').map((q) => q.trim()).filter(Boolean) } : {}),
    ...(int('concurrency', flags.concurrency) !== undefined ? { concurrency: int('concurrency', flags.concurrency)! } : {}),
    ...(int('prefetch-multiplier', flags.prefetchMultiplier) !== undefined ? { prefetchMultiplier: int('prefetch-multiplier', flags.prefetchMultiplier)! } : {}),
    ...(hostname ? { hostname } : {}),
    ...(int('shutdown-timeout', flags.shutdownTimeout) !== undefined ? { shutdownTimeout: int('shutdown-timeout', flags.shutdownTimeout)! * 1000 } : {}),
    sendEvents: flags.events === true,
    control: flags.control !== false,
    acksLate: flags.acksEarly !== true,
    handleSignals: true,
  });
  process.stdout.write(banner(worker, flags.app));
  await worker.start();
  app.logger.info(`${worker.hostname} ready.`);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (worker.state === 'stopped') {
        clearInterval(check);
        resolve();
      }
    }, 200);
  });
  await app.close();
}
