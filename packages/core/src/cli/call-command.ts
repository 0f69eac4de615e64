import type { Command } from 'commander';
import { RemoteTaskError, ResultTimeoutError } from '../errors/index.js';
import type { ApplyOptions } from '../producer/apply-options.js';
import { CliError, EXIT, parseJsonFlag } from './cli-error.js';
import { connectOrExplain, loadApp, type AppFlags } from './load-app.js';

export interface CallFlags extends AppFlags {
  args?: string;
  kwargs?: string;
  queue?: string;
  exchange?: string;
  routingKey?: string;
  countdown?: string;
  eta?: string;
  expires?: string;
  priority?: string;
  wait?: boolean;
  timeout?: string;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`--${name} must be a number, got ${v}`, EXIT.USAGE);
  return n;
}

/** `celeriac call <task>`: prints the task id, or with --wait the result (JSON). */
export async function callCommand(task: string, flags: CallFlags): Promise<void> {
  const args = parseJsonFlag('args', flags.args, []);
  const kwargs = parseJsonFlag('kwargs', flags.kwargs, {});
  if (!Array.isArray(args)) throw new CliError('--args must be a JSON array, e.g. --args \'[2, 3]\'', EXIT.USAGE);
  if (!kwargs || typeof kwargs !== 'object' || Array.isArray(kwargs)) throw new CliError('--kwargs must be a JSON object', EXIT.USAGE);
  const options: ApplyOptions = {};
  if (flags.queue) options.queue = flags.queue;
  if (flags.exchange !== undefined) options.exchange = flags.exchange;
  if (flags.routingKey !== undefined) options.routingKey = flags.routingKey;
  const countdown = num('countdown', flags.countdown);
  if (countdown !== undefined) options.countdown = countdown;
  if (flags.eta) options.eta = flags.eta;
  const expires = num('expires', flags.expires);
  if (expires !== undefined) options.expires = expires;
  const priority = num('priority', flags.priority);
  if (priority !== undefined) options.priority = priority;
  const { app } = await loadApp(flags);
  try {
    await connectOrExplain(app);
    const r = await app.sendTask(task, args, kwargs as Record<string, unknown>, options);
    if (!flags.wait) {
      process.stdout.write(`${r.id}\n`);
      return;
    }
    await printResult(r.id, () => r.get({ timeout: (num('timeout', flags.timeout) ?? 30) * 1000 }));
  } finally {
    await app.close();
  }
}

/** `celeriac result <id>`: waits for a stored result (redis backend; rpc only sees its own tasks); `--traceback` prints a failure's traceback instead. */
export async function resultCommand(id: string, flags: AppFlags & { timeout?: string; traceback?: boolean; task?: string }): Promise<void> {
  const { app } = await loadApp(flags);
  try {
    if (app.backend.kind === 'rpc') {
      throw new CliError('rpc:// results can only be read by the process that sent the task; use a redis:// backend (--result-backend)', EXIT.USAGE);
    }
    await connectOrExplain(app);
    if (flags.traceback) {
      const meta = await app.backend.get(id);
      if (meta?.traceback) process.stdout.write(`${meta.traceback.trimEnd()}\n`);
      else process.stdout.write(`${meta === null ? 'PENDING' : meta.status}: no traceback\n`);
      return;
    }
    await printResult(id, () => app.asyncResult(id).get({ timeout: (num('timeout', flags.timeout) ?? 10) * 1000 }));
  } finally {
    await app.close();
  }
}

async function printResult(id: string, get: () => Promise<unknown>): Promise<void> {
  try {
    const value = await get();
    process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  } catch (err) {
    if (err instanceof RemoteTaskError) throw new CliError(`task ${id} ${err.state}: ${err.excType}: ${err.excArgs.map(String).join(', ')}`, EXIT.FAILURE);
    if (err instanceof ResultTimeoutError) throw new CliError(`task ${id}: no result within the timeout (still PENDING or running)`, EXIT.FAILURE);
    throw err;
  }
}

export function registerCallCommands(program: Command, action: (run: (...args: never[]) => Promise<void>) => (...args: unknown[]) => Promise<void>): void {
  program.command('call <task>').description('send a task by name; prints its id, or its result with --wait')
    .option('-a, --args <json>', 'positional arguments, a JSON array', '[]')
    .option('-k, --kwargs <json>', 'keyword arguments, a JSON object', '{}')
    .option('-Q, --queue <queue>', 'queue to send to')
    .option('--exchange <name>', 'exchange to publish to (with --routing-key)')
    .option('--routing-key <key>', 'routing key (default: the queue name)')
    .option('--countdown <seconds>', 'run no earlier than this many seconds from now')
    .option('--eta <iso>', 'run no earlier than this time (ISO-8601)')
    .option('--expires <seconds>', 'do not run after this many seconds')
    .option('--priority <n>', 'message priority')
    .option('-w, --wait', 'wait for the result and print it as JSON')
    .option('--timeout <seconds>', 'how long --wait waits (default 30)')
    .action(action(callCommand));

  program.command('result <id>').description('print the result of a task (redis:// backend)')
    .option('--traceback', 'print the traceback of a failed task instead')
    .option('-t, --task <name>', 'accepted for Celery compatibility: every task shares the app’s backend')
    .option('--timeout <seconds>', 'how long to wait (default 10)')
    .action(action(resultCommand));
}
