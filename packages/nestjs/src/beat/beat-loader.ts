/**
 * `@celeriac/beat` is an optional peer: it is loaded with a dynamic import only when the
 * module option `beat` is set, so this package works without it. The types below are the
 * part of its API this package uses.
 */
import type { ApplyOptions, CeleriacApp } from '@celeriac/core';

export interface BeatEntry {
  task: string;
  schedule: object;
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  options?: ApplyOptions;
}

export interface BeatLike {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BeatModule {
  createBeat(app: CeleriacApp, options: { schedule: Record<string, BeatEntry | unknown>; [option: string]: unknown }): BeatLike;
}

export type BeatLoader = () => Promise<BeatModule>;

// a variable, so that neither tsc nor the bundler tries to resolve the optional package
const BEAT_PACKAGE = '@celeriac/beat';

/** Imports `@celeriac/beat`; rejects with an install hint when it is missing. */
export const loadBeat: BeatLoader = async () => {
  let mod: Partial<BeatModule>;
  try {
    mod = (await import(BEAT_PACKAGE)) as Partial<BeatModule>;
  } catch (err) {
    throw new Error(
      'CeleriacModule: the option `beat` (or a @Periodic() task scheduled by it) needs @celeriac/beat: install it next to @celeriac/nestjs (pnpm add @celeriac/beat)',
      { cause: err },
    );
  }
  if (typeof mod.createBeat !== 'function') throw new Error('CeleriacModule: @celeriac/beat was found but exports no createBeat()');
  return mod as BeatModule;
};
