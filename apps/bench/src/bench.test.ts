/**
 * Smoke run of the built bench (`BENCH_SMOKE=1`) against the local RabbitMQ and Redis: it must
 * finish and report every figure as a finite positive number. Speed is never asserted here.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from './bench-report.js';

const BENCH = fileURLToPath(new URL('../dist/bench.js', import.meta.url));

const EXPECTED_ROWS = [
  'producer', 'worker-c1', 'worker-c16', 'worker-c128', 'rtt-rpc-p50', 'rtt-rpc-p99', 'rtt-redis-p50', 'rtt-redis-p99', 'worker-rss', 'flatness', 'redis-producer', 'redis-worker-c16', 'flatness-raw',
];

function runBench(outDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH], {
      env: { ...process.env, BENCH_SMOKE: '1', BENCH_OUT_DIR: outDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pnpm bench, smoke run', () => {
  let outDir: string | undefined;
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('completes and reports every figure as a finite positive number', async () => {
    expect(existsSync(BENCH), `${BENCH} is missing: build the bench first (pnpm --filter @celeriac/bench build)`).toBe(true);
    outDir = await mkdtemp(join(tmpdir(), 'celeriac-bench-'));
    const { code, stdout, stderr } = await runBench(outDir);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('| Scenario');

    const files = await readdir(outDir);
    expect(files).toHaveLength(1);
    const report = JSON.parse(await readFile(join(outDir, files[0]!), 'utf8')) as BenchReport;
    expect(report.smoke).toBe(true);
    expect(report.rows.map((r) => r.id)).toEqual(EXPECTED_ROWS);
    for (const row of report.rows) {
      expect(Number.isFinite(row.celeriac) && row.celeriac > 0, `${row.id}: ${row.celeriac}`).toBe(true);
      if (row.baseline !== null) expect(Number.isFinite(row.baseline) && row.baseline > 0, `${row.id} baseline: ${row.baseline}`).toBe(true);
      if (row.ratio !== null) expect(Number.isFinite(row.ratio) && row.ratio > 0, `${row.id} ratio: ${row.ratio}`).toBe(true);
    }
  }, 90_000);
});
