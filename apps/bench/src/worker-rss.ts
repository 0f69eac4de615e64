/**
 * Worker memory with a deep queue: the tasks are queued first, then a worker in a child
 * process (`rss-child.js`, next to this file once built) drains them and reports its peak RSS.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppNames } from './bench-resources.js';

export interface RssChildConfig {
  amqpUrl: string;
  names: AppNames;
  tasks: number;
  concurrency: number;
}

export interface RssReport {
  /** RSS before the app was created. */
  idleMb: number;
  /** Highest `process.memoryUsage.rss()` seen, sampled every 5 ms. */
  sampledPeakMb: number;
  /** The kernel's high-water mark (`getrusage` maxrss), which no sampling can miss. */
  maxRssMb: number;
  /** Tasks per second while draining. */
  rate: number;
}

export async function measureWorkerRss(config: RssChildConfig): Promise<RssReport> {
  const childPath = fileURLToPath(new URL('./rss-child.js', import.meta.url));
  const child = spawn(process.execPath, [childPath], {
    env: { ...process.env, BENCH_RSS_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || line === '') throw new Error(`the memory-measured worker exited with code ${code} and printed ${JSON.stringify(out.slice(-200))}`);
  return JSON.parse(line) as RssReport;
}
