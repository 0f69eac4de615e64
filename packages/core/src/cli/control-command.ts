import type { Command } from 'commander';
import { CliError, EXIT } from './cli-error.js';
import { connectOrExplain, loadApp, type AppFlags } from './load-app.js';

export interface ControlFlags extends AppFlags {
  destination?: string;
  timeout?: string;
  json?: boolean;
  terminate?: boolean;
}

/** `celeriac inspect <method>`: what a worker reports, Celery's names. */
export const INSPECT_METHODS: ReadonlyMap<string, string> = new Map([
  ['ping', 'ping workers'],
  ['active', 'tasks running now'],
  ['reserved', 'tasks received, waiting for a free slot'],
  ['scheduled', 'tasks with an ETA or countdown, held by the worker'],
  ['revoked', 'ids of revoked tasks'],
  ['registered', 'task names each worker runs'],
  ['stats', 'counters, pool, prefetch, broker, uptime'],
  ['active_queues', 'queues each worker consumes'],
  ['query_task', 'where the given task ids are (active, reserved, scheduled): query_task <id...>'],
  ['clock', 'each worker’s logical clock'],
  ['hello', 'the mingle sync data (revoked ids, clock): hello <from-node>'],
  ['conf', 'the worker’s configuration, secrets masked: conf [with_defaults]'],
  ['report', 'the worker’s bug-report text (versions, settings)'],
]);

/** `celeriac control <command>`: what a worker is told to do. */
export const CONTROL_METHODS: ReadonlyMap<string, string> = new Map([
  ['revoke', 'revoke <id...> [--terminate]: skip (or with --terminate abort) those tasks'],
  ['shutdown', 'warm shutdown of the workers'],
  ['enable_events', 'start sending task events'],
  ['disable_events', 'stop sending task events'],
  ['add_consumer', 'add_consumer <queue>: start consuming a queue'],
  ['cancel_consumer', 'cancel_consumer <queue>: stop consuming a queue'],
  ['rate_limit', 'rate_limit <task> <rate>: e.g. 10/s, 100/m; 0 removes it'],
  ['time_limit', 'time_limit <task> <soft> [hard]: time limits in seconds'],
  ['heartbeat', 'send a worker-heartbeat event now'],
  ['pool_grow', 'pool_grow [n]: n more tasks at the same time (default 1)'],
  ['pool_shrink', 'pool_shrink [n]: n fewer tasks at the same time (default 1)'],
]);

const INSPECT = new Set(INSPECT_METHODS.keys());
const CONTROL = new Set(CONTROL_METHODS.keys());

function destination(flags: ControlFlags) {
  return flags.destination ? { destination: flags.destination.split(',').map((d) => d.trim()) } : {};
}

function timeout(flags: ControlFlags): number {
  const t = flags.timeout === undefined ? 1 : Number(flags.timeout);
  if (!(t > 0)) throw new CliError(`--timeout must be a positive number of seconds, got ${flags.timeout}`, EXIT.USAGE);
  return t * 1000;
}

function print(replies: Record<string, unknown>[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(replies)}\n`);
    return;
  }
  for (const r of replies) {
    for (const [node, value] of Object.entries(r)) {
      process.stdout.write(`-> ${node}: ${typeof value === 'object' && value !== null && 'ok' in value ? 'OK' : ''}\n`);
      process.stdout.write(`    ${JSON.stringify(value, null, 2).split('\n').join('\n    ')}\n`);
    }
  }
  process.stdout.write(`\n${replies.length} node${replies.length === 1 ? '' : 's'} online.\n`);
}

/** `celeriac inspect <method>`: exits 69 when no worker replied, as Celery does. */
export async function inspectCommand(method: string, extra: string[], flags: ControlFlags): Promise<void> {
  if (!INSPECT.has(method)) throw new CliError(`unknown inspect command "${method}"; one of: ${[...INSPECT].join(', ')}`, EXIT.USAGE);
  const { app } = await loadApp(flags);
  try {
    await connectOrExplain(app);
    const args: Record<string, unknown> = method === 'query_task' ? { ids: extra } : method === 'registered' ? { taskinfoitems: [] } : method === 'hello' ? { from_node: extra[0] ?? 'celeriac-cli', revoked: {} }
      : method === 'conf' ? { with_defaults: extra[0] ?? false } : {};
    const replies = await app.control.broadcast(method, args, { ...destination(flags), timeout: timeout(flags) });
    if (replies.length === 0) throw new CliError('Error: No nodes replied within time constraint.', EXIT.UNAVAILABLE);
    print(replies, flags.json);
  } finally {
    await app.close();
  }
}

/** `celeriac control <command> [args]`: revoke <id...> [--terminate], shutdown, add_consumer <queue>, ... */
export async function controlCommand(command: string, extra: string[], flags: ControlFlags): Promise<void> {
  if (!CONTROL.has(command)) throw new CliError(`unknown control command "${command}"; one of: ${[...CONTROL].join(', ')}`, EXIT.USAGE);
  const need = (n: number, what: string) => {
    if (extra.length < n) throw new CliError(`control ${command} needs ${what}`, EXIT.USAGE);
  };
  let args: Record<string, unknown> = {};
  let reply = true;
  switch (command) {
    case 'revoke':
      need(1, 'at least one task id');
      args = { task_id: extra, terminate: flags.terminate === true, signal: 'SIGTERM' };
      reply = false;
      break;
    case 'shutdown':
      reply = false;
      break;
    case 'add_consumer':
    case 'cancel_consumer':
      need(1, 'a queue name');
      args = { queue: extra[0] };
      break;
    case 'rate_limit':
      need(2, 'a task name and a rate');
      args = { task_name: extra[0], rate_limit: extra[1] };
      break;
    case 'pool_grow':
    case 'pool_shrink':
      args = { n: extra[0] === undefined ? 1 : Number(extra[0]) };
      break;
    case 'time_limit':
      need(2, 'a task name and a soft limit (and optionally a hard limit) in seconds');
      args = { task_name: extra[0], soft: Number(extra[1]), hard: extra[2] === undefined ? undefined : Number(extra[2]) };
      break;
  }
  const { app } = await loadApp(flags);
  try {
    await connectOrExplain(app);
    const replies = await app.control.broadcast(command, args, { ...destination(flags), timeout: timeout(flags), reply });
    if (!reply) {
      process.stdout.write(`${command} sent.\n`);
      return;
    }
    if (replies.length === 0) throw new CliError('Error: No nodes replied within time constraint.', EXIT.UNAVAILABLE);
    print(replies, flags.json);
  } finally {
    await app.close();
  }
}

/** `celeriac status`: one line per worker that answers ping. */
export async function statusCommand(flags: ControlFlags): Promise<void> {
  const { app } = await loadApp(flags);
  try {
    await connectOrExplain(app);
    const replies = await app.control.ping({ ...destination(flags), timeout: timeout(flags) });
    for (const r of replies) for (const node of Object.keys(r)) process.stdout.write(`${node}: OK\n`);
    process.stdout.write(`\n${replies.length} node${replies.length === 1 ? '' : 's'} online.\n`);
    if (replies.length === 0) throw new CliError('Error: No nodes replied within time constraint.', EXIT.UNAVAILABLE);
  } finally {
    await app.close();
  }
}

function methodHelp(methods: ReadonlyMap<string, string>): string {
  const width = Math.max(...[...methods.keys()].map((m) => m.length));
  return `\nMethods:\n${[...methods].map(([m, d]) => `  ${m.padEnd(width)}  ${d}`).join('\n')}\n`;
}

export function registerControlCommands(program: Command, action: (run: (...args: never[]) => Promise<void>) => (...args: unknown[]) => Promise<void>): void {
  const remote = (cmd: Command) => cmd
    .option('-d, --destination <nodes>', 'comma-separated node names')
    .option('-t, --timeout <seconds>', 'how long to wait for replies (default 1)');
  remote(program.command('inspect <method> [args...]').description('ask workers (Python or Node) what they are doing'))
    .option('-j, --json', 'print replies as JSON')
    .addHelpText('after', methodHelp(INSPECT_METHODS))
    .action(action(inspectCommand));
  remote(program.command('control <method> [args...]').description('tell workers (Python or Node) to do something'))
    .option('--terminate', 'with revoke: abort the task if it is running')
    .option('-j, --json', 'print replies as JSON')
    .addHelpText('after', methodHelp(CONTROL_METHODS))
    .action(action(controlCommand));
  remote(program.command('status').description('list the workers that answer ping'))
    .action(action(statusCommand));
}
