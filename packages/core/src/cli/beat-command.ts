/**
 * `celeriac -A ./schedule.js beat`: runs the module's exported `beat` (from @celeriac/beat)
 * until SIGTERM/SIGINT, saying why it stops; a second signal exits at once.
 */
import type { Command } from 'commander';
import { createConsoleLogger, type Logger } from '../util/logger.js';
import { CliError, EXIT } from './cli-error.js';
import { splitAppSpec, importModule, type AppFlags } from './load-app.js';
import { applyLogFlags, applyLogLevel, type LogFlags } from './log-flags.js';
import { acquirePidfile } from './pidfile.js';
import { onShutdownSignals } from './shutdown-signals.js';
import { rejectUnsupported, unsupportedOption, type Unsupported } from './unsupported.js';
import { applyConnectionFlags } from './connection-flags.js';

interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const UNSUPPORTED_BEAT_FLAGS: readonly Unsupported[] = [
  { flags: '--detach', help: 'not supported: use a process manager', alternative: 'run beat under systemd, pm2, Docker or Kubernetes; it stays in the foreground' },
  { flags: '-s, --schedule <file>', help: 'not supported: configure the store', alternative: 'pass store: new FileStore({ path }) to createBeat() in the -A module' },
  { flags: '-S, --scheduler <name>', help: 'not supported: configure the beat', alternative: 'pass store and lock to createBeat() in the -A module' },
  { flags: '--max-interval <seconds>', help: 'not supported: configure the beat', alternative: 'pass maxIntervalMs to createBeat() in the -A module' },
];

type BeatFlags = AppFlags & LogFlags & { pidfile?: string; [flag: string]: unknown };

export function registerBeatCommand(program: Command, action: (run: (flags: BeatFlags) => Promise<void>) => (...args: unknown[]) => Promise<void>): void {
  const cmd = program.command('beat').description('run the periodic scheduler exported as `beat` by the -A module (@celeriac/beat)')
    .option('-l, --loglevel <level>', 'DEBUG, INFO, WARNING, ERROR, CRITICAL or FATAL (default INFO)')
    .option('-f, --logfile <file>', 'append the log to this file instead of stderr')
    .option('--pidfile <file>', 'write the process id here; refuse to start while another live process owns it');
  for (const u of UNSUPPORTED_BEAT_FLAGS) cmd.addOption(unsupportedOption(u));
  cmd.action(action(beatCommand));
}

export async function beatCommand(flags: BeatFlags): Promise<void> {
  rejectUnsupported(flags, UNSUPPORTED_BEAT_FLAGS);
  if (!flags.app) throw new CliError('celeriac beat needs -A ./schedule.js (a module exporting `beat`)', EXIT.USAGE);
  applyLogFlags(flags, flags.logfile);
  applyConnectionFlags(flags); // before the module creates its app
  const { module: spec, exportName } = splitAppSpec(flags.app);
  const module = await importModule(spec);
  const beat = module[exportName ?? 'beat'] as Partial<Startable> | undefined;
  if (!beat || typeof beat.start !== 'function' || typeof beat.stop !== 'function') {
    throw new CliError(`${spec} has no export "${exportName ?? 'beat'}" (export const beat = createBeat(app, { schedule }))`, EXIT.USAGE);
  }
  const app = (module.app ?? (beat as { app?: unknown }).app) as { close?: () => Promise<void>; logger?: Logger } | undefined;
  const logger = app?.logger ?? createConsoleLogger();
  applyLogLevel(logger, flags);
  const releasePidfile = flags.pidfile ? acquirePidfile(flags.pidfile, (m) => logger.warn(m)) : () => undefined;
  // listen for signals before saying we started, so a Ctrl-C right after the message is caught
  const stopped = onShutdownSignals(logger, 'stopping the beat and releasing its lock', async () => {
    await beat.stop!();
    await app?.close?.();
    releasePidfile();
    logger.info('beat: stopped');
  });
  await beat.start();
  process.stderr.write(`celeriac beat started from ${flags.app}; Ctrl-C to stop\n`);
  await stopped.done;
}
