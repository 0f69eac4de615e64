/**
 * `pnpm bench`: runs every scenario on the local RabbitMQ and Redis, prints the table
 * (Markdown) on stdout and writes the full report to `bench-results/bench-<date>.json` at the
 * repository root. Progress goes to stderr. `BENCH_SMOKE=1` runs small sizes in seconds.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptionsFromEnv } from './bench-options.js';
import { formatMachine, formatTable } from './bench-report.js';
import { runBench } from './run-bench.js';

/** `apps/bench/dist/bench.js` → `<repo>/bench-results`. */
const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../../bench-results/', import.meta.url));

async function main(): Promise<void> {
  const options = benchOptionsFromEnv(process.env, DEFAULT_OUT_DIR);
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  log(`${options.smoke ? 'smoke run' : 'full run'} on ${options.amqpUrl.replace(/\/\/[^@/]*@/, '//***@')}`);
  const report = await runBench(options, log);
  const lines = [`Machine: ${formatMachine(report.machine)}`, '', formatTable(report.rows)];
  if (options.outDir !== null) {
    await mkdir(options.outDir, { recursive: true });
    const file = join(options.outDir, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    lines.push('', `Report: ${file}`);
  }
  const missed = report.rows.filter((r) => r.met === false).map((r) => r.id);
  lines.push(`Targets met: ${report.rows.filter((r) => r.met === true).length}/${report.rows.filter((r) => r.met !== null).length}${missed.length > 0 ? ` (missed: ${missed.join(', ')})` : ''}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  console.error('[bench] failed:', err);
  process.exitCode = 1;
});
