import { CliError, EXIT } from './cli-error.js';
import { connectOrExplain, loadApp, type AppFlags } from './load-app.js';

export interface ControlFlags extends AppFlags {
  destination?: string;
  timeout?: string;
  json?: boolean;
  terminate?: boolean;
}

const INSPECT = new Set(['ping', 'active', 'reserved', 'scheduled', 'revoked', 'registered', 'stats', 'active_queues', 'query_task', 'clock']);
const CONTROL = new Set(['revoke', 'shutdown', 'enable_events', 'disable_events', 'add_consumer', 'cancel_consumer', 'rate_limit', 'time_limit', 'heartbeat']);

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
    const args: Record<string, unknown> = method === 'query_task' ? { ids: extra } : method === 'registered' ? { taskinfoitems: [] } : {};
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
