import { CliError, EXIT } from './cli-error.js';
import { importModule } from './load-app.js';

interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `celeriac beat -A ./schedule.js`: runs the module's exported `beat` (from @celeriac/beat) until a signal. */
export async function beatCommand(flags: { app?: string }): Promise<void> {
  if (!flags.app) throw new CliError('celeriac beat needs -A ./schedule.js (a module exporting `beat`)', EXIT.USAGE);
  const module = await importModule(flags.app);
  const beat = module.beat as Partial<Startable> | undefined;
  if (!beat || typeof beat.start !== 'function' || typeof beat.stop !== 'function') {
    throw new CliError(`${flags.app} has no named export "beat" (export const beat = createBeat(app, { schedule }))`, EXIT.USAGE);
  }
  // listen for signals before saying we started, so a Ctrl-C right after the message is caught
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await beat.start();
  process.stderr.write(`celeriac beat started from ${flags.app}; Ctrl-C to stop\n`);
  await stopped;
  await beat.stop();
  const app = (module.app ?? (beat as { app?: unknown }).app) as { close?: () => Promise<void> } | undefined;
  await app?.close?.();
}
