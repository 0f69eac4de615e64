#!/usr/bin/env node
/**
 * The `celeriac` command line: worker, call, result, inspect, control, purge, events,
 * status, beat. Errors print one line and exit with a code scripts can rely on
 * (0 ok, 1 task failed or timed out, 64 usage, 69 broker unreachable or no worker replied).
 */
import { Command, CommanderError } from 'commander';
import { beatCommand } from './cli/beat-command.js';
import { callCommand, resultCommand } from './cli/call-command.js';
import { CliError, EXIT } from './cli/cli-error.js';
import { controlCommand, inspectCommand, statusCommand } from './cli/control-command.js';
import { eventsCommand, purgeCommand } from './cli/purge-events-command.js';
import { workerCommand } from './cli/worker-command.js';
import { SW_VERSION } from './worker/worker-services.js';

function appOptions(cmd: Command): Command {
  return cmd
    .option('-A, --app <module>', 'module whose named export `app` is the Celeriac app')
    .option('-b, --broker <url>', 'broker URL when no -A is given (default: $AMQP_URL)')
    .option('--backend <url>', 'result backend when no -A is given (default: rpc://)');
}

const program = new Command()
  .name('celeriac')
  .description('Celery-compatible task queue for TypeScript')
  .version(SW_VERSION)
  .exitOverride()
  .showHelpAfterError();

appOptions(program.command('worker').description('start a worker'))
  .option('-Q, --queues <list>', 'comma-separated queues to consume (default: the app default queue)')
  .option('-c, --concurrency <n>', 'tasks run at the same time (default 8)')
  .option('-n, --hostname <name>', 'node name, name@host (%h = host name)')
  .option('-E, --events', 'send task events (for celery events / Flower)')
  .option('--prefetch-multiplier <n>', 'prefetch = concurrency × this (default 4)')
  .option('--acks-early', 'ack when a task starts instead of when it finishes')
  .option('--without-control', 'do not answer remote control (inspect, ping, revoke)')
  .option('--shutdown-timeout <seconds>', 'how long a warm shutdown waits for running tasks (default 30)')
  .action((flags: Record<string, unknown>) => workerCommand({ ...flags, control: flags.withoutControl !== true }));

appOptions(program.command('call <task>').description('send a task by name; prints its id, or its result with --wait'))
  .option('--args <json>', 'positional arguments, a JSON array', '[]')
  .option('--kwargs <json>', 'keyword arguments, a JSON object', '{}')
  .option('-Q, --queue <queue>', 'queue to send to')
  .option('--countdown <seconds>', 'run no earlier than this many seconds from now')
  .option('--eta <iso>', 'run no earlier than this time (ISO-8601)')
  .option('--expires <seconds>', 'do not run after this many seconds')
  .option('--priority <n>', 'message priority')
  .option('-w, --wait', 'wait for the result and print it as JSON')
  .option('--timeout <seconds>', 'how long --wait waits (default 30)')
  .action(callCommand);

appOptions(program.command('result <id>').description('print the result of a task (redis backend)'))
  .option('--timeout <seconds>', 'how long to wait (default 10)')
  .action(resultCommand);

appOptions(program.command('inspect <method> [args...]').description('ask workers: ping, active, reserved, scheduled, revoked, registered, stats, active_queues, query_task'))
  .option('-d, --destination <nodes>', 'comma-separated node names')
  .option('-t, --timeout <seconds>', 'how long to wait for replies (default 1)')
  .option('-j, --json', 'print replies as JSON')
  .action(inspectCommand);

appOptions(program.command('control <command> [args...]').description('tell workers: revoke <id...>, shutdown, add_consumer <q>, cancel_consumer <q>, enable_events, disable_events, time_limit <task> <soft> [hard]'))
  .option('-d, --destination <nodes>', 'comma-separated node names')
  .option('-t, --timeout <seconds>', 'how long to wait for replies (default 1)')
  .option('--terminate', 'with revoke: abort the task if it is running')
  .option('-j, --json', 'print replies as JSON')
  .action(controlCommand);

appOptions(program.command('status').description('list the workers that answer ping'))
  .option('-d, --destination <nodes>', 'comma-separated node names')
  .option('-t, --timeout <seconds>', 'how long to wait for replies (default 1)')
  .action(statusCommand);

appOptions(program.command('purge').description('delete every waiting message in task queues'))
  .option('-Q, --queues <list>', 'comma-separated queues (default: the app default queue)')
  .option('-f, --force', 'do not ask for confirmation')
  .action(purgeCommand);

appOptions(program.command('events').description('live tail of Celery events'))
  .option('-j, --json', 'print each event as a JSON line')
  .action(eventsCommand);

program.command('beat').description('run the periodic scheduler exported as `beat` by the -A module')
  .option('-A, --app <module>', 'module whose named export `beat` comes from createBeat()')
  .action(beatCommand);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
    process.exitCode ??= EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`celeriac: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`celeriac: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = EXIT.FAILURE;
  }
}

void main().then(() => {
  // commands that finished must not be kept alive by timers of closed connections
  if (process.exitCode !== undefined) setTimeout(() => process.exit(process.exitCode), 50).unref();
});
