/** Load generation and bookkeeping for chaos tests: every task id sent, run, lost and duplicated. */
import { createApp, type CeleriacApp } from '../../src/index.js';
import { silent } from '../helpers/env.js';

export interface Tally {
  name: string;
  sent: Set<number>;
  publishFailures: number;
  executions: Map<number, number>;
}

export function tally(name: string): Tally {
  return { name, sent: new Set(), publishFailures: 0, executions: new Map() };
}

export function chaosApp(url: string | string[], queue: string, options: { maxBuffer?: number; quorum?: boolean } = {}): CeleriacApp {
  return createApp({
    broker: url, backend: null, defaultQueue: queue, logger: silent, quorumQueues: options.quorum === true,
    controlExchange: `${queue}_ctl`, eventExchange: `${queue}_ev`,
    amqp: { maxBuffer: options.maxBuffer ?? 20_000, reconnectBaseMs: 100, reconnectMaxMs: 1000, heartbeat: 5 },
  });
}

/** Registers `chaos.work(i)`, which counts each execution in the tally. */
export function registerWork(app: CeleriacApp, t: Tally, delayMs = 0): void {
  app.task('chaos.work', async (i: number) => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    t.executions.set(i, (t.executions.get(i) ?? 0) + 1);
    return i;
  });
}

/** Publishes tasks 0..n-1 spread over `durationMs`, at most `window` unconfirmed at a time. */
export async function publishLoad(app: CeleriacApp, t: Tally, n: number, durationMs: number, window = 200): Promise<void> {
  const start = Date.now();
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < n; i++) {
    const due = start + (durationMs * i) / n;
    if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
    const p: Promise<void> = app.sendTask('chaos.work', [i]).then(
      () => void t.sent.add(i),
      () => void t.publishFailures++,
    ).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= window) await Promise.race(inflight);
  }
  await Promise.all(inflight);
}

export interface Counts {
  sent: number;
  completed: number;
  lost: number;
  duplicated: number;
  publishFailures: number;
}

export function counts(t: Tally): Counts {
  let lost = 0;
  let duplicated = 0;
  for (const i of t.sent) if (!t.executions.has(i)) lost++;
  for (const n of t.executions.values()) if (n > 1) duplicated += n - 1;
  return { sent: t.sent.size, completed: t.executions.size, lost, duplicated, publishFailures: t.publishFailures };
}

/** Prints one line per scenario (collected by the README's reliability section). */
export function report(t: Tally, extra: Record<string, unknown> = {}): Counts {
  const c = counts(t);
  const more = Object.entries(extra).map(([k, v]) => ` ${k}=${typeof v === 'number' ? v : JSON.stringify(v)}`).join('');
  console.log(`[chaos] ${t.name}: sent=${c.sent} completed=${c.completed} lost=${c.lost} duplicated=${c.duplicated} publish_failures=${c.publishFailures}${more}`);
  return c;
}
