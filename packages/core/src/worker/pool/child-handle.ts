/**
 * One pool child as the worker sees it: a `worker_threads` thread or a forked process behind
 * the same small interface (send a message, hear its messages and its exit, kill it). Both
 * carry messages with the structured clone algorithm (`serialization: 'advanced'` for
 * processes), so bigints, Dates, Maps and typed arrays cross as they are.
 */
import { fork } from 'node:child_process';
import { Worker as Thread } from 'node:worker_threads';
import type { ChildInit, FromChild, ToChild } from './pool-wire.js';

export interface ChildHandle {
  /** Process id, or thread id for a thread. */
  readonly id: number;
  send(msg: ToChild): void;
  onMessage(fn: (msg: FromChild) => void): void;
  /** Called once, with how the child ended: `exitcode 3`, `signal 9 (SIGKILL)`. */
  onExit(fn: (how: string) => void): void;
  /** Ends it now: SIGKILL (or `signal`) for a process, `terminate()` for a thread. */
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  /** The `pool-child.js` entry file. */
  entry: string;
  init: ChildInit;
  /** Node flags for a child process. @defaultValue the worker's own, without --inspect */
  execArgv?: string[];
  /** V8 heap limit of a thread, MB (`resourceLimits.maxOldGenerationSizeMb`). */
  maxOldGenerationSizeMb?: number;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGTERM: 15 };

/** How a process ended, in billiard's words. */
export function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal ${SIGNAL_NUMBERS[signal] ?? '?'} (${signal})`;
  return `exitcode ${code ?? 0}`;
}

export function spawnChild(o: SpawnOptions): ChildHandle {
  return o.init.kind === 'threads' ? spawnThread(o) : spawnProcess(o);
}

function spawnThread(o: SpawnOptions): ChildHandle {
  const thread = new Thread(o.entry, {
    ...(o.maxOldGenerationSizeMb ? { resourceLimits: { maxOldGenerationSizeMb: o.maxOldGenerationSizeMb } } : {}),
  });
  let error: Error | null = null;
  // an error the thread did not catch itself (it catches task errors): note it for the exit
  thread.on('error', (err) => (error = err));
  thread.postMessage({ type: 'init', init: o.init } satisfies ToChild);
  return {
    id: thread.threadId,
    send: (msg) => thread.postMessage(msg),
    onMessage: (fn) => thread.on('message', fn),
    onExit: (fn) => thread.once('exit', (code) => fn(error ? `exitcode ${code} (${error.name}: ${error.message})` : `exitcode ${code}`)),
    kill: () => void thread.terminate(),
  };
}

function spawnProcess(o: SpawnOptions): ChildHandle {
  const child = fork(o.entry, [], {
    serialization: 'advanced',
    execArgv: o.execArgv ?? process.execArgv.filter((a) => !a.startsWith('--inspect')),
    env: { ...process.env, CELERIAC_POOL_CHILD: 'processes' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // a child that could not be started (or signalled) reports through 'error', then 'exit'
  let error: Error | null = null;
  child.on('error', (err) => (error = err));
  child.send({ type: 'init', init: o.init } satisfies ToChild);
  return {
    id: child.pid ?? -1,
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (fn) => child.on('message', (m) => fn(m as FromChild)),
    onExit: (fn) => child.once('exit', (code, signal) => fn(exitDescription(code, signal) + (error ? ` (${error.message})` : ''))),
    kill: (signal = 'SIGKILL') => void child.kill(signal),
  };
}
