/**
 * `pnpm bench`: runs every scenario on the local RabbitMQ and Redis with the peers (BullMQ,
 * Python Celery), prints the table (Markdown) and the targets on stdout, and writes
 * `bench-<date>.json` (every sample), `.md` (the table) and `.png` (the ratios chart) to
 * `bench-results/` at the repository root. Progress goes to stderr. `BENCH_SMOKE=1` runs small
 * sizes in seconds. `pnpm bench soak [--tasks N]` runs the soak instead (see soak.ts);
 * `pnpm bench chart <report.json>` redraws a saved report's PNG and Markdown.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptionsFromEnv } from './bench-options.js';
import { formatMachine, formatTable, formatTargets, PEER_LABELS, type BenchReport, type Peer } from './bench-report.js';
import { ratioChart } from './chart.js';
import { runBench } from './run-bench.js';
import { runSoak, soakArgs } from './soak.js';
import { redactUrl } from './stats.js';

/** `apps/bench/dist/bench.js` → `<repo>/bench-results`. */
const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../../bench-results/', import.meta.url));

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(argv: readonly string[]): Promise<void> {
  const options = benchOptionsFromEnv(process.env, DEFAULT_OUT_DIR);
  if (argv[0] === 'soak') {
    await runSoak({ ...soakArgs(argv.slice(1)), amqpUrl: options.amqpUrl, redisUrl: options.redisUrl, outDir: options.outDir }, log);
    return;
  }
  if (argv[0] === 'chart' && argv[1]) {
    // redraws the PNG (and the Markdown) of a saved report
    const report = JSON.parse(await readFile(argv[1], 'utf8')) as BenchReport;
    const base = argv[1].replace(/\.json$/, '');
    await writeFile(`${base}.png`, chartOf(report));
    await writeFile(`${base}.md`, `${reportMarkdown(report)}\n`);
    log(`wrote ${base}.png and .md`);
    return;
  }
  if (argv.length > 0) throw new Error(`unknown arguments ${JSON.stringify(argv)}: pnpm bench [soak [--tasks N] | chart <report.json>]`);
  log(`${options.smoke ? 'smoke run' : 'full run'} on ${redactUrl(options.amqpUrl)}`);
  const report = await runBench(options, log);
  const markdown = reportMarkdown(report);
  const lines = [markdown];
  if (options.outDir !== null) {
    await mkdir(options.outDir, { recursive: true });
    const base = join(options.outDir, `bench-${report.startedAt.replace(/[:.]/g, '-')}`);
    await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${base}.md`, `${markdown}\n`);
    await writeFile(`${base}.png`, chartOf(report));
    lines.push('', `Report: ${base}.json, .md, .png`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function chartOf(report: BenchReport): Buffer {
  return ratioChart(report.rows, `CELERIAC BENCH ${report.startedAt.slice(0, 16)} - RATIOS TO THE BASELINE`);
}

export function reportMarkdown(report: BenchReport): string {
  const targets = report.rows.filter((r) => r.met !== null);
  const missed = targets.filter((r) => r.met === false).map((r) => r.id);
  const skipped = Object.entries(report.skipped).map(([peer, why]) => `${PEER_LABELS[peer as Peer]} skipped: ${why}`);
  return [
    `Machine: ${formatMachine(report.machine)}`,
    ...skipped,
    '',
    formatTable(report.rows),
    '',
    'Targets:',
    formatTargets(report.rows),
    '',
    `Targets met: ${targets.length - missed.length}/${targets.length}${missed.length > 0 ? ` (not met: ${missed.join(', ')})` : ''}`,
  ].join('\n');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error('[bench] failed:', err);
  process.exitCode = 1;
});
