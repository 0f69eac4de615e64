/**
 * Python Celery, the peer that speaks the same protocol: Debian's `/usr/bin/python3 -m celery`
 * workers (prefork or threads pool) on the bench's queues, with the task module in
 * `apps/bench/python/`. A queue is filled with the Celeriac producer (the same wire format),
 * then the worker is started and the queue depth is polled: timed from the moment the first 10%
 * of the tasks were taken (the warm-up, as for the Node workers) to the queue empty. Its memory and CPU are read from /proc for the worker and its pool children.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { AppNames } from './bench-resources.js';
import { warmUpTasks } from './child-protocol.js';

export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const PY_DIR = fileURLToPath(new URL('../python/', import.meta.url));
const POLL_MS = 10;
const PAGE_KB = 4;
const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux

export type CeleryPool = 'prefork' | 'threads';

export interface CeleryRun {
  rate: number;
  ms: number;
  /** User + system CPU of the worker and its pool processes per task, microseconds. */
  cpuUsPerMessage: number;
  /** Highest sampled RSS of the worker and its pool processes together. */
  peakRssMb: number;
}

/** Why the Python peer cannot run here, or null when it can (`python3 -c 'import celery'`). */
export function celeryMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import celery, redis; print(celery.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return `${PYTHON} not found (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} cannot import celery and redis: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  return null;
}

export function celeryVersion(): string {
  return spawnSync(PYTHON, ['-c', 'import celery; print(celery.__version__)'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
}

function pyEnv(amqpUrl: string, names: AppNames, backend: string | null): NodeJS.ProcessEnv {
  return { ...process.env, BENCH_BROKER: amqpUrl, BENCH_QUEUE: names.queue, BENCH_NS: names.controlExchange, BENCH_BACKEND: backend ?? 'none', PYTHONDONTWRITEBYTECODE: '1' };
}

/** A Celery worker process of our own (its own process group, so the pool children stop with it). */
export class CeleryWorker {
  readonly #proc: ChildProcess;
  #stderr = '';
  #exited = false;
  #tree: { pids: number[]; at: number } | null = null;

  constructor(amqpUrl: string, readonly names: AppNames, pool: CeleryPool, concurrency: number, backend: string | null) {
    this.#proc = spawn(PYTHON, [
      '-m', 'celery', '-A', 'bench_tasks', 'worker', '-Q', names.queue, '-P', pool, '-c', String(concurrency),
      '-n', `${names.queue}@%h`, '--without-mingle', '--without-gossip', '--without-heartbeat', '-l', 'warning',
    ], { cwd: PY_DIR, env: pyEnv(amqpUrl, names, backend), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.#proc.stderr!.setEncoding('utf8');
    this.#proc.stderr!.on('data', (c: string) => (this.#stderr = (this.#stderr + c).slice(-2000)));
    this.#proc.once('exit', () => (this.#exited = true));
  }

  get pid(): number {
    return this.#proc.pid!;
  }

  /** Throws with the worker's last words if it died. */
  check(): void {
    if (this.#exited) throw new Error(`the Python Celery worker exited early: ${this.#stderr.slice(-600)}`);
  }

  /** Waits until the worker consumes from its queue (RabbitMQ counts its consumer). */
  async ready(amqpUrl: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const conn = await amqp.connect(amqpUrl);
    conn.on('error', () => undefined);
    try {
      for (;;) {
        this.check();
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        const consumers = await ch.checkQueue(this.names.queue).then((q) => q.consumerCount, () => 0);
        await ch.close().catch(() => undefined);
        if (consumers > 0) return;
        if (Date.now() > deadline) throw new Error(`the Python Celery worker did not consume within ${timeoutMs} ms: ${this.#stderr.slice(-600)}`);
        await sleep(50);
      }
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  /** Cold shutdown (SIGQUIT: every scenario waited for its tasks), then SIGKILL to the group after 10 s. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#proc.once('exit', () => resolve()));
    try {
      process.kill(-this.pid, 'SIGQUIT');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch { /* gone */ }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** RSS (MB) and CPU (µs) of the worker and every process under it. */
  usage(): { rssMb: number; cpuUs: number } {
    let rssKb = 0;
    let ticks = 0;
    // the pool's processes change rarely: scanning /proc every poll would cost the bench CPU
    if (!this.#tree || performance.now() - this.#tree.at > 500) this.#tree = { pids: processTree(this.pid), at: performance.now() };
    for (const pid of this.#tree.pids) {
      const stat = readStat(pid);
      if (!stat) continue;
      rssKb += stat.rssPages * PAGE_KB;
      ticks += stat.utime + stat.stime;
    }
    return { rssMb: rssKb / 1024, cpuUs: ticks * TICK_US };
  }
}

/**
 * Starts a worker on a queue holding `n` tasks and times it until the queue is empty (polled
 * every 10 ms, so at most a prefetch window of tasks is still running at the end).
 */
export async function celeryDrain(amqpUrl: string, names: AppNames, n: number, pool: CeleryPool, concurrency: number, finished?: FinishedCheck): Promise<CeleryRun> {
  const worker = new CeleryWorker(amqpUrl, names, pool, concurrency, finished ? finished.backend : null);
  const skip = warmUpTasks(n);
  const conn = await amqp.connect(amqpUrl);
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createChannel();
    let first = 0;
    let cpu0 = 0;
    let peak = 0;
    for (;;) {
      worker.check();
      const { messageCount } = await ch.checkQueue(names.queue);
      const u = worker.usage();
      peak = Math.max(peak, u.rssMb);
      // as for the Node workers, the first 10% of the tasks are the warm-up
      if (first === 0 && messageCount <= n - Math.max(1, skip)) {
        first = performance.now();
        cpu0 = u.cpuUs;
      }
      if (first !== 0 && messageCount === 0 && (!finished || (await finished.done()))) {
        const ms = Math.max(performance.now() - first, 0.001);
        return { rate: ((n - skip) / ms) * 1000, ms, cpuUsPerMessage: (u.cpuUs - cpu0) / (n - skip), peakRssMb: peak };
      }
      await sleep(POLL_MS);
    }
  } finally {
    await conn.close().catch(() => undefined);
    await worker.stop();
  }
}

/**
 * For tasks that take long next to the poll (CPU-bound): the queue is empty as soon as the
 * worker prefetched the last ones, so the run ends only when `done()` (every result stored).
 */
export interface FinishedCheck {
  backend: string;
  done(): Promise<boolean>;
}

/** Runs `bench_drive.py` and parses the JSON line it prints. */
export async function celeryDrive<T>(amqpUrl: string, names: AppNames, backend: string | null, args: string[]): Promise<T> {
  const child = spawn(PYTHON, ['bench_drive.py', ...args], { cwd: PY_DIR, env: pyEnv(amqpUrl, names, backend), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`bench_drive.py ${args.join(' ')} exited with code ${code}: ${err.slice(-600)}`);
  return JSON.parse(line) as T;
}

function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function readStat(pid: number): { ppid: number; utime: number; stime: number; rssPages: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name may hold spaces and parentheses: fields start after the last ')'
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), rssPages: Number(f[21]) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
