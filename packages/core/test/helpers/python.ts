/**
 * Drives real Python Celery from tests, through the in-repo harness in interop/python:
 * a Python worker (`worker.sh`) and a Python client (`drive.py`, one JSON line per call).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.CELERIAC_PYTHON ?? '/usr/bin/python3';
export const HARNESS = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'interop', 'python');

export interface PythonEnv {
  queue: string;
  ns: string;
  backend: string;
  /** More environment for the worker and the scripts (INTEROP_APP, CANVAS_NODE_QUEUE, INTEROP_BROKER, INTEROP_BROKER_SSL_*...). */
  extra?: Record<string, string>;
}

function envOf(p: PythonEnv): NodeJS.ProcessEnv {
  return { ...process.env, INTEROP_QUEUE: p.queue, INTEROP_NS: p.ns, INTEROP_BACKEND: p.backend, PYTHONDONTWRITEBYTECODE: '1', ...(p.extra ?? {}) };
}

/** Runs a script of the harness and resolves with the JSON objects it printed, one per line. */
export function pythonScript<T = Record<string, unknown>>(p: PythonEnv, script: string, args: string[], timeoutMs: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [join(HARNESS, script), ...args], { env: envOf(p), timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${script} failed (exit ${err.code ?? '?'}): ${stderr.slice(-3000)}`));
      try {
        resolve(stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T));
      } catch (e) {
        reject(new Error(`${script} printed something that is not JSON lines: ${(e as Error).message}\n${stdout.slice(0, 2000)}`));
      }
    });
  });
}

/** Runs `drive.py <args>` and returns its JSON line (rejects on a non-zero exit unless allowed). */
export function drive<T = Record<string, unknown>>(p: PythonEnv, args: string[], options: { allowFailure?: boolean; timeoutMs?: number } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [join(HARNESS, 'drive.py'), ...args], { env: envOf(p), timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      let parsed: T | undefined;
      try {
        parsed = JSON.parse(line) as T;
      } catch {
        return reject(new Error(`drive.py ${args[0]} printed no JSON (exit ${err?.code ?? 0}): ${stdout}\n${stderr}`));
      }
      if (err && !options.allowFailure) return reject(new Error(`drive.py ${args.join(' ')} failed: ${line}\n${stderr.slice(-2000)}`));
      resolve(parsed);
    });
  });
}

export interface PythonWorker {
  node: string;
  /** The end of what the worker wrote to stderr (its log at warning level). */
  log(): string;
  /** True while the worker process runs. */
  alive(): boolean;
  stop(): Promise<void>;
  /** SIGKILLs the worker (a crash: nothing is handed back) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Starts a Python Celery worker (with `mingle`, it syncs with the other workers first) and waits until it answers a ping. */
export async function startPythonWorker(p: PythonEnv, name: string, extraArgs: string[] = [], options: { mingle?: boolean } = {}): Promise<PythonWorker> {
  const node = `${name}@${hostname()}`;
  const env = { ...envOf(p), INTEROP_MINGLE: options.mingle ? '1' : '0' };
  const child: ChildProcess = spawn(join(HARNESS, 'worker.sh'), [node, p.queue, ...extraArgs], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-8000)));
  // CELERIAC_PY_LOG=<dir> keeps each Python worker's log there, for debugging a test
  if (process.env.CELERIAC_PY_LOG) child.stderr?.pipe((await import('node:fs')).createWriteStream(join(process.env.CELERIAC_PY_LOG, `${name}.log`)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await drive(p, ['ping', '--wait', '60', '--destination', node], { timeoutMs: 70_000 });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`Python worker ${node} did not start: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    node,
    log: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs interop/python/events_dump.py for `seconds`; resolves once its queue is bound, with a promise of the events. */
export async function capturePythonEvents(p: PythonEnv, seconds: number): Promise<{ events: Promise<Record<string, unknown>[]> }> {
  const { mkdtempSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const ready = join(mkdtempSync(join(tmpdir(), 'celeriac-ev-')), 'ready');
  const done = new Promise<Record<string, unknown>[]>((resolve, reject) => {
    execFile(PYTHON, [join(HARNESS, 'events_dump.py'), String(seconds), '--ready-file', ready], { env: envOf(p), timeout: (seconds + 30) * 1000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`events_dump.py failed: ${stderr.slice(-2000)}`));
      resolve(stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
    });
  });
  const deadline = Date.now() + 30_000;
  while (!existsSync(ready)) {
    if (Date.now() > deadline) throw new Error('events_dump.py did not get ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { events: done };
}
