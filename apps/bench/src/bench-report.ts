/**
 * The bench's results: one row per figure with Celeriac, the baseline it is compared with (raw
 * amqplib, or BullMQ for end to end), the peers (BullMQ, Python Celery prefork and threads) each
 * as a ratio to that baseline, the target and whether it is met with the measured reason; the
 * machine; and the table printed from them. Pure.
 */

/** A goal for a row: a ratio floor or ceiling, a ceiling or floor on the figure itself, or a band for the ratio. */
export type Target =
  | { kind: 'min-ratio'; value: number }
  | { kind: 'max-ratio'; value: number }
  | { kind: 'min'; value: number }
  | { kind: 'max'; value: number }
  | { kind: 'ratio-band'; low: number; high: number };

export type Unit = 'tasks/s' | 'ms' | 'MB' | 'µs/msg' | 'x';

export const PEERS = ['bullmq', 'celery-prefork', 'celery-threads'] as const;
export type Peer = (typeof PEERS)[number];
export const PEER_LABELS: Record<Peer, string> = { 'bullmq': 'BullMQ', 'celery-prefork': 'Python Celery prefork', 'celery-threads': 'Python Celery threads' };

export interface PeerFigure {
  value: number;
  /** value / baseline, when the row has a baseline. */
  ratio: number | null;
  /** How it was run, when it differs from the row's title (another pool size, fewer tasks). */
  note: string | null;
}

export interface ResultRow {
  id: string;
  scenario: string;
  unit: Unit;
  celeriac: number;
  /** What the figures are compared with (raw amqplib, BullMQ, or the small-queue run for flatness). */
  baseline: number | null;
  baselineLabel: string | null;
  /** celeriac / baseline. */
  ratio: number | null;
  peers: Partial<Record<Peer, PeerFigure>>;
  target: Target | null;
  met: boolean | null;
  /** The measured reason for met / not met, e.g. "0.93x >= 0.9x". */
  reason: string | null;
  /** Client CPU (user + system) per message in microseconds, for throughput rows: less noisy than rates. */
  cpuUsPerMessage: { celeriac: number; baseline: number | null } | null;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
  rabbitmq: string;
  redis: string;
  bullmq: string;
  celery: string;
  /** `os.loadavg()` when the run started and ended: the machine is shared. */
  loadavg: { start: number[]; end: number[] };
}

export interface BenchReport {
  schema: 2;
  startedAt: string;
  finishedAt: string;
  smoke: boolean;
  machine: Machine;
  settings: Record<string, unknown>;
  /** Peers that were not run, and why (a missing prerequisite). */
  skipped: Partial<Record<Peer, string>>;
  rows: ResultRow[];
  /** Every measurement the rows were computed from. */
  samples: Record<string, unknown>;
}

export function row(init: {
  id: string;
  scenario: string;
  unit: Unit;
  celeriac: number;
  baseline?: number;
  baselineLabel?: string;
  peers?: Partial<Record<Peer, number | { value: number; note: string } | null>>;
  target?: Target;
  cpuUsPerMessage?: { celeriac: number; baseline?: number };
}): ResultRow {
  const baseline = init.baseline ?? null;
  const ratio = baseline === null ? null : init.celeriac / baseline;
  const target = init.target ?? null;
  const peers: Partial<Record<Peer, PeerFigure>> = {};
  for (const p of PEERS) {
    const v = init.peers?.[p];
    if (v === undefined || v === null) continue;
    const value = typeof v === 'number' ? v : v.value;
    peers[p] = { value, ratio: baseline === null ? null : value / baseline, note: typeof v === 'number' ? null : v.note };
  }
  const met = target === null ? null : isMet(target, init.celeriac, ratio);
  return {
    id: init.id,
    scenario: init.scenario,
    unit: init.unit,
    celeriac: init.celeriac,
    baseline,
    baselineLabel: init.baselineLabel ?? null,
    ratio,
    peers,
    target,
    met,
    reason: target === null ? null : reasonOf(target, init.celeriac, ratio, init.unit, met === true),
    cpuUsPerMessage: init.cpuUsPerMessage ? { celeriac: init.cpuUsPerMessage.celeriac, baseline: init.cpuUsPerMessage.baseline ?? null } : null,
  };
}

function isMet(target: Target, value: number, ratio: number | null): boolean {
  switch (target.kind) {
    case 'min-ratio':
      return ratio !== null && ratio >= target.value;
    case 'max-ratio':
      return ratio !== null && ratio <= target.value;
    case 'min':
      return value >= target.value;
    case 'max':
      return value <= target.value;
    case 'ratio-band':
      return ratio !== null && ratio >= target.low && ratio <= target.high;
  }
}

/** "0.93x >= 0.9x" when met, "0.85x, needs >= 0.9x" when not. */
function reasonOf(target: Target, value: number, ratio: number | null, unit: Unit, met: boolean): string {
  const measured = target.kind === 'min' || target.kind === 'max' ? formatValue(value, unit) : ratio === null ? 'no baseline' : `${ratio.toFixed(2)}x`;
  const goal = formatTarget(target, unit);
  return met ? `${measured} ${goal}` : `${measured}, needs ${goal}`;
}

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'tasks/s':
      return value < 10 ? `${value.toFixed(2)}/s` : `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'ms':
      return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'µs/msg':
      return `${value.toFixed(1)} µs`;
    case 'x':
      return `${value.toFixed(2)}x`;
  }
}

function formatTarget(target: Target | null, unit: Unit): string {
  if (target === null) return '-';
  switch (target.kind) {
    case 'min-ratio':
      return `>= ${target.value}x`;
    case 'max-ratio':
      return `<= ${target.value}x`;
    case 'min':
      return `>= ${formatValue(target.value, unit)}`;
    case 'max':
      return `<= ${formatValue(target.value, unit)}`;
    case 'ratio-band':
      return `${target.low}-${target.high}x`;
  }
}

function withRatio(value: number, ratio: number | null, unit: Unit): string {
  return ratio === null || unit === 'x' ? formatValue(value, unit) : `${formatValue(value, unit)} (${ratio.toFixed(2)}x)`;
}

/** The table `pnpm bench` prints, in Markdown so it can be pasted into the README as is. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['Scenario', 'Baseline', 'Celeriac', ...PEERS.map((p) => PEER_LABELS[p]), 'Target', 'Met?', 'Measured', 'CPU µs/msg (Celeriac / baseline)'];
  const lines = rows.map((r) => [
    r.scenario,
    r.baseline === null ? '-' : `${formatValue(r.baseline, r.unit)} ${r.baselineLabel ?? 'baseline'}`,
    withRatio(r.celeriac, r.ratio, r.unit),
    ...PEERS.map((p) => {
      const f = r.peers[p];
      return f ? `${withRatio(f.value, f.ratio, r.unit)}${f.note ? ` [${f.note}]` : ''}` : '-';
    }),
    formatTarget(r.target, r.unit),
    r.met === null ? '-' : r.met ? 'met' : 'NOT MET',
    r.reason ?? '-',
    formatCpu(r.cpuUsPerMessage),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** Every row with a target, as "met" / "NOT MET" lines with the measured reason. */
export function formatTargets(rows: readonly ResultRow[]): string {
  return rows.filter((r) => r.target !== null).map((r) => `${r.met ? 'met    ' : 'NOT MET'}  ${r.scenario}: ${r.reason ?? ''}`).join('\n');
}

function formatCpu(cpu: ResultRow['cpuUsPerMessage']): string {
  if (cpu === null) return '-';
  return cpu.baseline === null ? cpu.celeriac.toFixed(1) : `${cpu.celeriac.toFixed(1)} / ${cpu.baseline.toFixed(1)}`;
}

export function formatMachine(m: Machine): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  return `${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, RabbitMQ ${m.rabbitmq}, Redis ${m.redis}, BullMQ ${m.bullmq}, Celery ${m.celery}; load average ${load(m.loadavg.start)} at start, ${load(m.loadavg.end)} at end`;
}
