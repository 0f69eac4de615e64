/**
 * `celeriac -A proj worker -l info -c 4 -Q a,b`: loads the app, prints the banner, syncs with
 * the other workers (mingle, which also warns about a duplicate node name), starts consuming
 * (and with -B the module's beat), and runs until SIGTERM/SIGINT (warm shutdown; a second
 * signal stops at once) or a remote `shutdown`.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { capabilitiesOf } from '../broker/capabilities.js';
import { mingle } from '../worker/mingle.js';
import { banner } from './banner.js';
import { CliError, EXIT } from './cli-error.js';
import { embeddedBeat, type EmbeddedBeat } from './embedded-beat.js';
import { connectOrExplain, loadApp, resolveModule, splitAppSpec, type AppFlags } from './load-app.js';
import { parsePoolName } from '../worker/pool/task-pool.js';
import { applyLogFlags, applyLogLevel, type LogFlags } from './log-flags.js';
import { nodeFormat } from './node-format.js';
import { acquirePidfile } from './pidfile.js';
import { onShutdownSignals } from './shutdown-signals.js';
import { rejectUnsupported } from './unsupported.js';
import { addWorkerFlags, UNSUPPORTED_WORKER_FLAGS, workerOptionsFromFlags } from './worker-flags.js';
import { purgeQueues } from './purge-command.js';

export interface WorkerFlags extends AppFlags, LogFlags {
  queues?: string;
  excludeQueues?: string;
  pidfile?: string;
  purge?: boolean;
  discard?: boolean;
  beat?: boolean;
  withoutMingle?: boolean;
  [flag: string]: unknown;
}

export function registerWorkerCommand(program: Command, action: (run: (flags: WorkerFlags) => Promise<void>) => (...args: unknown[]) => Promise<void>): void {
  const cmd = program.command('worker').description('start a worker (Celery: celery -A proj worker -l info)')
    .option('-Q, --queues <list>', 'comma-separated queues to consume (default: the app default queue)')
    .option('-X, --exclude-queues <list>', 'comma-separated queues not to consume')
    .option('-l, --loglevel <level>', 'DEBUG, INFO, WARNING, ERROR, CRITICAL or FATAL (default INFO)')
    .option('-f, --logfile <file>', 'append the log to this file instead of stderr (%n, %h, %d, %i expand)')
    .option('--pidfile <file>', 'write the process id here; refuse to start while another live process owns it')
    .option('--purge', 'delete every waiting message in the worker’s queues before starting')
    .option('--discard', 'same as --purge')
    .option('--without-mingle', 'do not sync revoked ids with other workers or check for a duplicate node name at start')
    .option('-B, --beat', 'also run the -A module’s exported `beat` (@celeriac/beat) in this process')
    .option('-I, --include <modules>', 'comma-separated modules to import after the app (they register tasks)');
  addWorkerFlags(cmd);
  cmd.action(action(workerCommand));
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((q) => q.trim()).filter(Boolean);
}

export async function workerCommand(flags: WorkerFlags): Promise<void> {
  rejectUnsupported(flags, UNSUPPORTED_WORKER_FLAGS);
  const options = workerOptionsFromFlags(flags);
  const nodename = options.hostname ?? `celeriac@${hostname()}`;
  applyLogFlags(flags, flags.logfile === undefined ? undefined : nodeFormat(flags.logfile, nodename));
  const { app, module } = await loadApp(flags);
  applyLogLevel(app.logger, flags);
  const excluded = new Set(list(flags.excludeQueues));
  const queues = (flags.queues ? list(flags.queues) : [app.options.defaultQueue]).filter((q) => !excluded.has(q));
  if (queues.length === 0) throw new CliError('no queue left to consume: -X/--exclude-queues removed every queue of -Q (or the default queue)', EXIT.USAGE);
  const beat: EmbeddedBeat | null = flags.beat ? embeddedBeat(module, flags.app) : null;
  const releasePidfile = flags.pidfile ? acquirePidfile(nodeFormat(flags.pidfile, nodename), (m) => app.logger.warn(m)) : () => undefined;

  // -P threads / processes: each child imports the -A module (the same export) to find the tasks
  if (options.pool !== undefined && parsePoolName(options.pool).kind !== 'async') {
    if (!flags.app) throw new CliError(`-P ${options.pool} needs -A: each pool thread or process imports that module to find the tasks`, EXIT.USAGE);
    const { module: spec, exportName } = splitAppSpec(flags.app);
    options.tasksModule = resolveModule(spec);
    options.appExport = exportName ?? 'app';
  }
  await connectOrExplain(app);
  const worker = app.worker({ ...options, hostname: nodename, queues, handleSignals: false });
  if (flags.purge || flags.discard) {
    const purged = await purgeQueues(app, queues);
    process.stdout.write(`Purged ${purged} message${purged === 1 ? '' : 's'} from ${queues.length} known task queue${queues.length === 1 ? '' : 's'}.\n`);
  }
  process.stdout.write(banner(worker, flags.app));

  const shutdown = onShutdownSignals(app.logger, 'running tasks finish', async (stage) => {
    await beat?.stop();
    await worker.shutdown(stage);
    while (worker.state !== 'stopped' && worker.state !== 'idle') await new Promise((r) => setTimeout(r, 50)); // a remote shutdown may still be draining
    await app.close();
    releasePidfile();
  }, { escalate: () => void worker.shutdown('cold'), hard: () => void worker.pool.close(true) });
  const duplicate = () => new CliError(`DuplicateNodenameWarning: another worker already runs as ${worker.hostname}; ` +
    'give each worker a unique node name with -n, e.g. -n w2@%h', EXIT.USAGE);
  // as Celery: only where other workers can answer
  if (!flags.withoutMingle && capabilitiesOf(app.broker).shared && (await mingle(app, worker)).duplicate) {
    await app.close();
    throw duplicate();
  }
  try {
    await worker.start();
  } catch (err) {
    await app.close().catch(() => undefined); // the start error is what matters
    // its remote-control queue is exclusive: the duplicate went unnoticed with --without-mingle
    if (/RESOURCE.LOCKED/.test((err as Error).message) && (err as Error).message.includes('.pidbox')) throw duplicate();
    throw err;
  }
  app.logger.info(`${worker.hostname} ready.`);
  if (beat) {
    await beat.start();
    app.logger.info('beat: started in this worker (-B)');
  }
  // a remote `celeriac control shutdown` stops the worker itself: finish the rest the same way
  worker.events.on('worker-offline', () => void shutdown.shutdown('remote shutdown'));
  await shutdown.done;
}
