/** Starts `child.js` with a config and reads its two JSON lines (ready, then the report). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildConfig, ChildProgress, ChildReport } from './child-protocol.js';

export interface RunningChild {
  /** Resolves once the worker consumes. */
  ready: Promise<void>;
  /** Resolves with the report once the child drained its tasks and exited. */
  report: Promise<ChildReport>;
}

export function startChild(config: ChildConfig, onProgress?: (p: ChildProgress['progress']) => void): RunningChild {
  const childPath = fileURLToPath(new URL('./child.js', import.meta.url));
  const child = spawn(process.execPath, [childPath], {
    env: { ...process.env, BENCH_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8');
  let pending = '';
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '{"ready":true}') onReady();
      else if (line.startsWith('{"progress"')) onProgress?.((JSON.parse(line) as ChildProgress).progress);
      else out += `${line}\n`;
    }
  });
  const report = new Promise<ChildReport>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      out += pending;
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{"rate"')) {
        reject(new Error(`the ${config.kind} worker process exited with code ${code} and printed ${JSON.stringify(out.slice(-200))}`));
      } else {
        resolve(JSON.parse(line) as ChildReport);
      }
    });
  });
  // a child that dies before it is ready must not leave `ready` pending forever
  const readyOrFail = Promise.race([ready, report.then(() => undefined)]);
  report.catch(() => undefined);
  return { ready: readyOrFail, report };
}

/** Runs a child on a queue filled beforehand and returns its report. */
export async function drainInChild(config: ChildConfig): Promise<ChildReport> {
  return startChild(config).report;
}
