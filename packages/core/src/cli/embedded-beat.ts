/**
 * `celeriac worker -B`: runs the -A module's exported `beat` (from @celeriac/beat's
 * createBeat) inside the worker process, as Celery's embedded beat. One-line errors say what
 * is missing: the package, or the export.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { CliError, EXIT } from './cli-error.js';

export interface EmbeddedBeat {
  start(): Promise<void>;
  stop(): Promise<void>;
}

function beatInstalled(): boolean {
  for (const from of [resolve(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      createRequire(from).resolve('@celeriac/beat');
      return true;
    } catch {
      // not visible from here; try the next place
    }
  }
  return false;
}

export function embeddedBeat(module: Record<string, unknown> | null, appSpec: string | undefined): EmbeddedBeat {
  const beat = module?.beat as Partial<EmbeddedBeat> | undefined;
  if (beat && typeof beat.start === 'function' && typeof beat.stop === 'function') return beat as EmbeddedBeat;
  if (!beatInstalled()) {
    throw new CliError('-B runs @celeriac/beat in the worker: npm install @celeriac/beat, then export const beat = createBeat(app, { schedule }) from the -A module (or run `celeriac beat` as its own process)', EXIT.USAGE);
  }
  throw new CliError(`-B needs the -A module${appSpec ? ` (${appSpec})` : ''} to export the beat: export const beat = createBeat(app, { schedule })`, EXIT.USAGE);
}
