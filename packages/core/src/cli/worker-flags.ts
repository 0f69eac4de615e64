/**
 * The `celeriac worker` flags that become WorkerOptions, one table row each, Celery's spelling
 * first. A new flag is one row: its commander syntax, its help, and how its value maps onto the
 * options. Flags we deliberately do not support are rows of UNSUPPORTED_WORKER_FLAGS.
 */
import { Option, type Command } from 'commander';
import { parsePoolName } from '../worker/pool/task-pool.js';
import type { WorkerOptions } from '../worker/worker-options.js';
import { CliError, EXIT } from './cli-error.js';
import { hostFormat } from './node-format.js';
import { unsupportedOption, type Unsupported } from './unsupported.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface WorkerFlag {
  /** Commander syntax, e.g. `-c, --concurrency <n>`. */
  flags: string;
  help: string;
  /** Sets the options this flag controls; `value` is what commander parsed (string or true). */
  apply(value: string | true, options: Mutable<WorkerOptions>): void;
  choices?: readonly string[];
  hidden?: boolean;
}

export function wholeNumber(flag: string, text: string | true, min = 0): number {
  const n = Number(text);
  if (text === true || !Number.isInteger(n) || n < min) throw new CliError(`${flag} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}, got ${String(text)}`, EXIT.USAGE);
  return n;
}

function seconds(flag: string, text: string | true): number {
  const n = Number(text);
  if (text === true || !Number.isFinite(n) || n < 0) throw new CliError(`${flag} must be a number of seconds, got ${String(text)}`, EXIT.USAGE);
  return n;
}

export const WORKER_FLAGS: readonly WorkerFlag[] = [
  { flags: '-c, --concurrency <n>', help: 'tasks run at the same time (default 8)', apply: (v, o) => (o.concurrency = wholeNumber('-c/--concurrency', v, 1)) },
  { flags: '-n, --hostname <name>', help: 'node name, e.g. w1@%h (%h host, %n name, %d domain; default celeriac@%h)', apply: (v, o) => (o.hostname = hostFormat(String(v))) },
  { flags: '-E, --events', help: 'send task events (for celeriac events, Flower, the dashboard)', apply: (_v, o) => (o.sendEvents = true) },
  { flags: '--task-events', help: 'same as -E', hidden: true, apply: (_v, o) => (o.sendEvents = true) },
  { flags: '--prefetch-multiplier <n>', help: 'prefetch = concurrency × this; 0 = no limit (default 4)', apply: (v, o) => (o.prefetchMultiplier = wholeNumber('--prefetch-multiplier', v)) },
  {
    flags: '-O <optimization>',
    help: 'default or fair: both start each task on the first free slot (there is no per-process prefetch to turn off)',
    choices: ['default', 'fair'],
    apply: () => undefined,
  },
  { flags: '--without-gossip', help: 'accepted: celeriac workers never gossip (no event subscription between workers)', apply: () => undefined },
  { flags: '--without-heartbeat', help: 'send no worker-heartbeat events', apply: (_v, o) => (o.heartbeatInterval = 0) },
  { flags: '--heartbeat-interval <seconds>', help: 'seconds between worker-heartbeat events (default 2)', apply: (v, o) => (o.heartbeatInterval = seconds('--heartbeat-interval', v)) },
  { flags: '--acks-early', help: 'ack when a task starts instead of when it finishes (Celery’s default)', apply: (_v, o) => (o.acksLate = false) },
  { flags: '--without-control', help: 'do not answer remote control (inspect, ping, revoke)', apply: (_v, o) => (o.control = false) },
  { flags: '--shutdown-timeout <seconds>', help: 'how long a warm shutdown waits for running tasks (default 30)', apply: (v, o) => (o.shutdownTimeout = seconds('--shutdown-timeout', v) * 1000) },
  {
    flags: '-P, --pool <pool>',
    help: 'where tasks run: async (default, the event loop), threads, processes; Celery’s solo (async, -c 1) and prefork (processes) too',
    apply: (v, o) => (o.pool = poolName(v)),
  },
  { flags: '--autoscale <range>', help: 'max,min: grow the pool up to max and shrink it down to min with the load', apply: (v, o) => (o.autoscale = autoscale(v)) },
  // 0 means no limit, as in Celery
  { flags: '--max-tasks-per-child <n>', help: 'replace a pool thread or process after it ran n tasks', apply: (v, o) => (o.maxTasksPerChild = zeroIsNone(wholeNumber('--max-tasks-per-child', v))) },
  {
    flags: '--max-memory-per-child <kib>',
    help: 'replace a pool thread or process whose memory is over this many KiB after a task (RSS; a thread: its heap)',
    apply: (v, o) => (o.maxMemoryPerChild = zeroIsNone(wholeNumber('--max-memory-per-child', v))),
  },
  { flags: '--time-limit <seconds>', help: 'hard time limit of tasks that set none (threads/processes: the child is killed)', apply: (v, o) => (o.timeLimit = zeroIsNone(seconds('--time-limit', v))) },
  { flags: '--soft-time-limit <seconds>', help: 'soft time limit of tasks that set none (the task’s AbortSignal fires)', apply: (v, o) => (o.softTimeLimit = zeroIsNone(seconds('--soft-time-limit', v))) },
  { flags: '--soft-shutdown-timeout <seconds>', help: 'seconds running tasks get in a soft shutdown, before a cold one (default 0: none)', apply: (v, o) => (o.softShutdownTimeout = seconds('--soft-shutdown-timeout', v)) },
];

/** Celery's 0 for "no limit". */
function zeroIsNone(n: number): number | null {
  return n === 0 ? null : n;
}

function poolName(text: string | true): NonNullable<WorkerOptions['pool']> {
  try {
    parsePoolName(String(text));
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.USAGE);
  }
  return String(text).trim().toLowerCase() as NonNullable<WorkerOptions['pool']>;
}

/** `--autoscale max,min` (a lone max means min 0, as in Celery). */
function autoscale(text: string | true): [number, number] {
  const [max, min = '0'] = String(text).split(',').map((x) => x.trim());
  const range: [number, number] = [wholeNumber('--autoscale max', max ?? '', 1), wholeNumber('--autoscale min', min)];
  if (range[1] > range[0]) throw new CliError(`--autoscale must be max,min with max >= min, got ${String(text)}`, EXIT.USAGE);
  return range;
}

export const UNSUPPORTED_WORKER_FLAGS: readonly Unsupported[] = [
  { flags: '-D, --detach', help: 'not supported: use a process manager', alternative: 'run the worker under systemd, pm2, Docker or Kubernetes; it stays in the foreground' },
  { flags: '-S, --statedb <path>', help: 'not supported: revokes come from other workers', alternative: 'at start a worker takes the revoked ids of the other workers (mingle); there is no state file' },
  { flags: '--uid <uid>', help: 'not supported: start as that user', alternative: 'start the process as that user (systemd User=, docker --user)' },
  { flags: '--gid <gid>', help: 'not supported: start as that group', alternative: 'start the process with that group (systemd Group=, docker --user)' },
  { flags: '--umask <mask>', help: 'not supported', alternative: 'set the umask in the shell or service that starts the worker' },
  { flags: '-s, --schedule <file>', help: 'not supported: configure the beat store', alternative: 'pass store: new FileStore({ path }) to createBeat() in the -A module' },
  { flags: '--scheduler <name>', help: 'not supported: configure the beat', alternative: 'pass store and lock to createBeat() in the -A module' },
];

/** Adds every row to the command. */
export function addWorkerFlags(cmd: Command): Command {
  for (const f of WORKER_FLAGS) {
    const option = new Option(f.flags, f.help);
    if (f.choices) option.choices(f.choices);
    if (f.hidden) option.hideHelp();
    cmd.addOption(option);
  }
  for (const u of UNSUPPORTED_WORKER_FLAGS) cmd.addOption(unsupportedOption(u));
  return cmd;
}

/** WorkerOptions from the parsed flags (commander's camelCase keys). */
export function workerOptionsFromFlags(flags: Record<string, unknown>): Mutable<WorkerOptions> {
  const options: Mutable<WorkerOptions> = {};
  for (const f of WORKER_FLAGS) {
    const value = flags[new Option(f.flags).attributeName()];
    if (value !== undefined) f.apply(value as string | true, options);
  }
  return options;
}
