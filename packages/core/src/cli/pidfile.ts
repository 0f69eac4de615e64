/** `--pidfile`: refuses to start when a live process owns the file, replaces a stale one, removes it on exit. */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { CliError, EXIT } from './cli-error.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read the pidfile ${path}: ${(err as Error).message}`, EXIT.USAGE);
  }
}

/** Writes this process's pid to `path`; returns a function that removes it (also run on exit). */
export function acquirePidfile(path: string, warn: (message: string) => void): () => void {
  const owner = readPid(path);
  if (owner !== null && owner !== process.pid && isAlive(owner)) {
    throw new CliError(`pidfile ${path} already exists: process ${owner} is running (stop it, or pass another --pidfile)`, EXIT.USAGE);
  }
  if (owner !== null) warn(`removing stale pidfile ${path} (process ${owner} is gone)`);
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch (err) {
    throw new CliError(`cannot write the pidfile ${path}: ${(err as Error).message}`, EXIT.USAGE);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readPid(path) === process.pid) unlinkSync(path);
    } catch (err) {
      warn(`could not remove the pidfile ${path}: ${(err as Error).message}`);
    }
  };
  process.on('exit', release);
  return release;
}
