/**
 * `@celeriac/beat` is an optional peer: it is loaded with a dynamic import only when the
 * module option `beat` is set, so this package works without it. The types below are the
 * part of its API this package uses.
 */
import { ConfigurationError, toError, type CeleriacApp } from '@celeriac/core';
import type { PeriodicOptions } from '../decorators/periodic.decorator.js';

/** An entry of beat's `schedule` option. */
export type BeatEntry = Omit<PeriodicOptions, 'name'> & { task: string };

export interface BeatLike {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BeatModule {
  createBeat(app: CeleriacApp, options: { schedule: Record<string, unknown>; [option: string]: unknown }): BeatLike;
}

export type BeatLoader = () => Promise<BeatModule>;

/**
 * A loader importing `specifier` (a variable, so that neither tsc nor the bundler tries to
 * resolve the optional package); it rejects with an install hint when the package is missing.
 */
export function beatLoader(specifier = '@celeriac/beat'): BeatLoader {
  return async () => {
    let mod: Partial<BeatModule>;
    try {
      mod = (await import(specifier)) as Partial<BeatModule>;
    } catch (err) {
      throw new ConfigurationError(
        `CeleriacModule: the option \`beat\` needs ${specifier}, which could not be imported (${toError(err).message}); install it next to @celeriac/nestjs`,
      );
    }
    if (typeof mod.createBeat !== 'function') throw new ConfigurationError(`CeleriacModule: ${specifier} exports no createBeat()`);
    return mod as BeatModule;
  };
}

export const loadBeat: BeatLoader = beatLoader();
