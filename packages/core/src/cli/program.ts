/**
 * The `celeriac` command tree, spelled as Celery's: global `-A/-b/--result-backend` go before
 * the subcommand (`celeriac -A proj worker -l info`) or after it, every command's --help lists
 * them, and what Celery has that we deliberately do not says so.
 */
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { registerBeatCommand } from './beat-command.js';
import { registerCallCommands } from './call-command.js';
import { registerControlCommands } from './control-command.js';
import { eventsCommand } from './events-command.js';
import { loadApp, type AppFlags } from './load-app.js';
import { purgeCommand } from './purge-command.js';
import { addUnsupportedCommands } from './unsupported.js';
import { addConnectionFlags } from './connection-flags.js';
import { permissionsCommand } from './permissions-command.js';
import { RABBIT_ROLES } from '../broker/amqp/permissions.js';
import { registerWorkerCommand } from './worker-command.js';

/** Wraps a command function: its positional arguments, then the options merged with the global ones. */
function action(run: (...args: never[]) => Promise<void>) {
  return (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    return (run as (...a: unknown[]) => Promise<void>)(...args.slice(0, -2), cmd.optsWithGlobals());
  };
}

async function reportCommand(flags: AppFlags): Promise<void> {
  const { app } = await loadApp(flags);
  try {
    const lines = [
      `software -> celeriac:${VERSION} node:${process.version} platform:${process.platform}-${process.arch}`,
      `broker: ${app.broker.displayUrl}`,
      `results: ${(app.backend as { displayUrl?: string }).displayUrl ?? `${app.backend.kind}://`}`,
      `default queue: ${app.options.defaultQueue}`,
      `tasks: ${[...app.tasks.keys()].sort().join(', ') || '(none)'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
  }
}

export function buildProgram(): Command {
  const program = new Command()
    .name('celeriac')
    .description('Celery-compatible task queue for TypeScript. Global options go before or after the command: celeriac -A proj worker -l info')
    .version(VERSION)
    .option('-A, --app <module>', 'app module and its export `app`: proj (./proj.js, ./proj/index.js or a package), ./dist/tasks.js, ./tasks.js:myApp')
    .option('-b, --broker <url>', 'broker URL when no -A is given: amqp://, redis://, rediss://, sentinel://host:26379/0?master_name=m (default: $AMQP_URL)')
    .option('--result-backend <url>', 'result backend when no -A is given (default: rpc://)')
    .addOption(new Option('--backend <url>', 'same as --result-backend').hideHelp())
    .option('--workdir <dir>', 'change to this directory before loading the app')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  addConnectionFlags(program); // TLS, login and passive mode: global like -A and -b
  program.hook('preAction', (_program, cmd) => {
    const workdir = cmd.optsWithGlobals().workdir as string | undefined;
    if (workdir) process.chdir(workdir);
  });

  registerWorkerCommand(program, action);
  registerBeatCommand(program, action);
  registerCallCommands(program, action);
  registerControlCommands(program, action);
  program.command('purge').description('delete every waiting message in task queues (asks first; `echo y |` answers)')
    .option('-Q, --queues <list>', 'comma-separated queues (default: the app default queue)')
    .option('-X, --exclude-queues <list>', 'comma-separated queues not to purge')
    .option('-f, --force', 'do not ask for confirmation')
    .action(action(purgeCommand));
  program.command('events').description('live tail of Celery events from Python and Node workers')
    .option('-j, --json', 'print each event as a JSON line')
    .action(action(eventsCommand));
  program.command('permissions <role>')
    .description(`print the rabbitmqctl set_permissions command with the least rights of a role (${RABBIT_ROLES.join(', ')}) for the app's names`)
    .option('-Q, --queues <list>', 'task queues (default: the app default queue, celery)')
    .option('--user <name>', "RabbitMQ user (default: the broker URL's)")
    .option('--vhost <name>', "vhost (default: the broker URL's, else /)")
    .option('--beat-name <name>', 'beat schedule name, for the beat role (default: default)')
    .action(action(permissionsCommand));
  program.command('report').description('print versions and the app’s settings (passwords masked), for bug reports')
    .action(action(reportCommand));
  addUnsupportedCommands(program);
  return program;
}
