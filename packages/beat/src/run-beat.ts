/**
 * What `celeriac beat -A ./schedule.js` does: import the module, start its exported `beat`,
 * run until SIGINT/SIGTERM (or an AbortSignal), then stop the beat and close its app.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Beat } from './beat.js';
import { ScheduleConfigError } from './errors.js';

export interface RunBeatOptions {
  /** Name of the export holding the Beat. @defaultValue 'beat' */
  exportName?: string;
  /** Stop when this aborts. @defaultValue SIGINT or SIGTERM */
  signal?: AbortSignal;
  /** Close the beat's app after stopping. @defaultValue true */
  closeApp?: boolean;
}

/** Loads a Beat from a module (path relative to the working directory). */
export async function loadBeat(modulePath: string, exportName = 'beat'): Promise<Beat> {
  const href = pathToFileURL(resolve(process.cwd(), modulePath)).href;
  const module = (await import(href)) as Record<string, unknown>;
  const beat = module[exportName] as Partial<Beat> | undefined;
  if (!beat || typeof beat.start !== 'function' || typeof beat.stop !== 'function' || typeof beat.app !== 'object') {
    throw new ScheduleConfigError(`${modulePath} has no named export "${exportName}" (export const ${exportName} = createBeat(app, { schedule }))`);
  }
  return beat as Beat;
}

/** Runs the Beat exported by a module until a signal; resolves once it stopped. */
export async function runBeatFromModule(modulePath: string, options: RunBeatOptions = {}): Promise<void> {
  const beat = await loadBeat(modulePath, options.exportName);
  await beat.start();
  try {
    await untilStopped(options.signal);
  } finally {
    await beat.stop();
    if (options.closeApp ?? true) await beat.app.close();
  }
}

function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (signal) {
      if (signal.aborted) return done();
      signal.addEventListener('abort', () => done(), { once: true });
      return;
    }
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
