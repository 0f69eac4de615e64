/**
 * `pnpm bench soak [--tasks N]`: N tasks (default 1,000,000) through one Celeriac worker in its
 * own process, with results stored in Redis. The producer keeps at most `BACKLOG` tasks queued;
 * the worker reports its RSS every second; after the warm-up (the first 10% of the tasks) the
 * RSS must stay within ±10% of its median. Prints the verdict and writes `soak-<date>.json`,
 * `.md` and `.png` (the RSS curve). Result documents expire after 60 s and are deleted as the
 * run goes, so the shared Redis never holds more than a few thousand of them.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { benchApp } from './bench-app.js';
import { BenchResources } from './bench-resources.js';
import { rssChart } from './chart.js';
import { startChild } from './spawn-child.js';
import { sleep } from './celery-peer.js';
import { median, redactUrl } from './stats.js';

const BACKLOG = 20_000;
const WARM_UP = 0.1;
const BAND = 0.1;

export interface SoakOptions {
  tasks: number;
  concurrency: number;
  amqpUrl: string;
  redisUrl: string;
  outDir: string | null;
}

export interface SoakVerdict {
  flat: boolean;
  medianMb: number;
  minMb: number;
  maxMb: number;
  /** How far the extreme samples are from the median, as a fraction (0.1 = 10%). */
  worstDeviation: number;
}

/** `--tasks N` and `--concurrency C` after `soak`. */
export function soakArgs(argv: readonly string[]): { tasks: number; concurrency: number } {
  let tasks = 1_000_000;
  let concurrency = 16;
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--tasks' && Number.isInteger(value) && value > 0) tasks = value;
    else if (argv[i] === '--concurrency' && Number.isInteger(value) && value > 0) concurrency = value;
    else throw new Error(`pnpm bench soak [--tasks N] [--concurrency C]: cannot read ${JSON.stringify(argv.slice(i))}`);
    i++;
  }
  return { tasks, concurrency };
}

/** Flat when every sample after the warm-up is within ±`band` of their median. Pure. */
export function judgeFlat(samples: readonly { tasks: number; rssMb: number }[], total: number, band = BAND): SoakVerdict {
  const after = samples.filter((s) => s.tasks >= total * WARM_UP).map((s) => s.rssMb);
  if (after.length === 0) return { flat: false, medianMb: 0, minMb: 0, maxMb: 0, worstDeviation: Infinity };
  const mid = median(after);
  const minMb = Math.min(...after);
  const maxMb = Math.max(...after);
  const worstDeviation = Math.max(mid - minMb, maxMb - mid) / mid;
  return { flat: worstDeviation <= band, medianMb: mid, minMb, maxMb, worstDeviation };
}

export async function runSoak(o: SoakOptions, log: (line: string) => void): Promise<SoakVerdict> {
  const res = new BenchResources();
  const names = res.app('soak');
  const startedAt = new Date();
  const load = loadavg();
  const samples: { tasks: number; rssMb: number; seconds: number }[] = [];
  let done = 0;
  log(`soak: ${o.tasks.toLocaleString('en-US')} tasks through one worker (concurrency ${o.concurrency}, results in Redis)`);
  const child = startChild({ kind: 'celeriac', amqpUrl: o.amqpUrl, names, n: o.tasks, concurrency: o.concurrency, backend: o.redisUrl, resultExpires: 60, progressMs: 1000 }, (p) => {
    done = p.done;
    samples.push({ tasks: p.done, rssMb: p.rssMb, seconds: p.atMs / 1000 });
    if (samples.length % 30 === 0) log(`soak: ${p.done.toLocaleString('en-US')} done, RSS ${p.rssMb.toFixed(1)} MB`);
  });
  const redis = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const { app, noop } = benchApp(o.amqpUrl, names, null);
  try {
    await redis.connect();
    await child.ready;
    await app.connect();
    const ids: string[] = [];
    let deleted = 0;
    const deleteUpTo = async (upTo: number) => {
      if (upTo <= deleted) return;
      await redis.del(...ids.slice(deleted, upTo).map((id) => `celery-task-meta-${id}`));
      for (let i = deleted; i < upTo; i++) ids[i] = '';
      deleted = upTo;
    };
    for (let sent = 0; sent < o.tasks;) {
      if (sent - done > BACKLOG) {
        await sleep(50);
        await deleteUpTo(Math.max(0, done - 5_000));
        continue;
      }
      const size = Math.min(1_000, o.tasks - sent);
      const batch = await Promise.all(Array.from({ length: size }, (_, i) => noop.delay(sent + i)));
      for (const r of batch) ids.push(r.id);
      sent += size;
    }
    const report = await child.report;
    for (let i = deleted; i < ids.length; i += 1_000) await deleteUpTo(Math.min(ids.length, i + 1_000));
    const verdict = judgeFlat(samples, o.tasks);
    const line = `RSS ${verdict.flat ? 'FLAT' : 'NOT FLAT'} after warm-up (first ${WARM_UP * 100}% of tasks): median ${verdict.medianMb.toFixed(1)} MB, min ${verdict.minMb.toFixed(1)}, max ${verdict.maxMb.toFixed(1)}, worst ${(verdict.worstDeviation * 100).toFixed(1)}% from the median (allowed ±${BAND * 100}%)`;
    const summary = [
      `Soak: ${o.tasks.toLocaleString('en-US')} tasks, one worker, concurrency ${o.concurrency}, results in Redis`,
      `${report.rate.toFixed(0)} tasks/s, ${report.cpuUsPerMessage.toFixed(1)} µs CPU per task, peak RSS ${report.peakRssMb.toFixed(1)} MB, ${samples.length} RSS samples (1 per second)`,
      line,
      `Load average ${load.map((x) => x.toFixed(2)).join(' ')} at start, ${loadavg().map((x) => x.toFixed(2)).join(' ')} at end`,
    ].join('\n');
    process.stdout.write(`${summary}\n`);
    if (o.outDir !== null) {
      await mkdir(o.outDir, { recursive: true });
      const base = join(o.outDir, `soak-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
      const medianMb = verdict.medianMb;
      await writeFile(`${base}.json`, `${JSON.stringify({ schema: 1, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: { ...o, amqpUrl: redactUrl(o.amqpUrl), redisUrl: redactUrl(o.redisUrl), outDir: undefined }, report, verdict, samples }, null, 2)}\n`);
      await writeFile(`${base}.md`, `${summary}\n`);
      await writeFile(`${base}.png`, rssChart(samples, { low: medianMb * (1 - BAND), high: medianMb * (1 + BAND) }, `CELERIAC SOAK: ${o.tasks.toLocaleString('en-US')} TASKS, WORKER RSS (MB)`));
      process.stdout.write(`Report: ${base}.json, .md, .png\n`);
    }
    return verdict;
  } finally {
    await app.close();
    redis.disconnect();
    await res.release(o.amqpUrl, o.redisUrl).catch((err: unknown) => log(`clean-up failed: ${(err as Error).message}`));
  }
}
