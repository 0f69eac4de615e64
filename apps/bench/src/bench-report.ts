/**
 * The bench's results: one row per figure (Celeriac, its raw baseline, the ratio, the target
 * from issue #9 and whether it is met), the machine they came from, and the table printed
 * from them. Pure.
 */

/** A goal for a row: a ratio floor, a ceiling on the figure itself, or a band for the ratio. */
export type Target =
  | { kind: 'min-ratio'; value: number }
  | { kind: 'max'; value: number }
  | { kind: 'ratio-band'; low: number; high: number };

export interface ResultRow {
  id: string;
  scenario: string;
  unit: 'tasks/s' | 'ms' | 'MB';
  celeriac: number;
  /** What the figure is compared with (raw amqplib, or the small-queue run for flatness). */
  baseline: number | null;
  baselineLabel: string | null;
  /** celeriac / baseline. */
  ratio: number | null;
  target: Target | null;
  met: boolean | null;
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
}

export interface BenchReport {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  smoke: boolean;
  machine: Machine;
  settings: Record<string, unknown>;
  rows: ResultRow[];
  /** Every measurement the rows were computed from. */
  samples: Record<string, unknown>;
}

export function row(init: {
  id: string;
  scenario: string;
  unit: ResultRow['unit'];
  celeriac: number;
  baseline?: number;
  baselineLabel?: string;
  target?: Target;
  cpuUsPerMessage?: { celeriac: number; baseline?: number };
}): ResultRow {
  const baseline = init.baseline ?? null;
  const ratio = baseline === null ? null : init.celeriac / baseline;
  const target = init.target ?? null;
  return {
    id: init.id,
    scenario: init.scenario,
    unit: init.unit,
    celeriac: init.celeriac,
    baseline,
    baselineLabel: init.baselineLabel ?? null,
    ratio,
    target,
    met: target === null ? null : isMet(target, init.celeriac, ratio),
    cpuUsPerMessage: init.cpuUsPerMessage ? { celeriac: init.cpuUsPerMessage.celeriac, baseline: init.cpuUsPerMessage.baseline ?? null } : null,
  };
}

function isMet(target: Target, value: number, ratio: number | null): boolean {
  switch (target.kind) {
    case 'min-ratio':
      return ratio !== null && ratio >= target.value;
    case 'max':
      return value <= target.value;
    case 'ratio-band':
      return ratio !== null && ratio >= target.low && ratio <= target.high;
  }
}

function formatValue(value: number, unit: ResultRow['unit']): string {
  if (unit === 'tasks/s') return `${Math.round(value).toLocaleString('en-US')}/s`;
  if (unit === 'ms') return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
  return `${value.toFixed(1)} MB`;
}

function formatTarget(target: Target | null, unit: ResultRow['unit']): string {
  if (target === null) return '-';
  switch (target.kind) {
    case 'min-ratio':
      return `>= ${target.value}x`;
    case 'max':
      return `<= ${formatValue(target.value, unit)}`;
    case 'ratio-band':
      return `${target.low}-${target.high}x`;
  }
}

/** The table `pnpm bench` prints, in Markdown so it can be pasted into the README as is. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['Scenario', 'Celeriac', 'Baseline', 'Ratio', 'Target', 'Met?', 'CPU µs/msg (Celeriac / baseline)'];
  const lines = rows.map((r) => [
    r.scenario,
    formatValue(r.celeriac, r.unit),
    r.baseline === null ? '-' : `${formatValue(r.baseline, r.unit)} (${r.baselineLabel ?? 'baseline'})`,
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    formatTarget(r.target, r.unit),
    r.met === null ? '-' : r.met ? 'yes' : 'NO',
    formatCpu(r.cpuUsPerMessage),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

function formatCpu(cpu: ResultRow['cpuUsPerMessage']): string {
  if (cpu === null) return '-';
  return cpu.baseline === null ? cpu.celeriac.toFixed(1) : `${cpu.celeriac.toFixed(1)} / ${cpu.baseline.toFixed(1)}`;
}

export function formatMachine(m: Machine): string {
  return `${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, RabbitMQ ${m.rabbitmq}, Redis ${m.redis}`;
}
