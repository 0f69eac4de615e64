/**
 * Smoke run of the built bench (`BENCH_SMOKE=1`) against the local RabbitMQ and Redis, with
 * every peer (BullMQ, Python Celery): it must finish, report every figure as a finite positive
 * number and write the JSON, Markdown and PNG reports. Speed is never asserted here. Python
 * Celery may be skipped only where `/usr/bin/python3` cannot import celery (then the report says
 * so); where it can, a broken Celery peer fails this test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from './bench-report.js';

const BENCH = fileURLToPath(new URL('../dist/bench.js', import.meta.url));

const EXPECTED_ROWS = [
  'producer', 'drain', 'drain-cpu', 'worker-c1', 'worker-c16', 'worker-c128', 'e2e', 'rtt-rpc-p50', 'rtt-rpc-p99', 'rtt-redis-p50', 'rtt-redis-p99',
  'worker-rss', 'cpu-threads-scaling', 'cpu-processes-scaling', 'cpu-rate', 'flatness', 'flatness-raw', 'redis-producer', 'redis-drain',
];
/** The rows every peer appears in when it runs. */
const PEER_ROWS = { 'bullmq': ['producer', 'drain', 'drain-cpu', 'rtt-rpc-p50', 'worker-rss'], 'celery-prefork': ['producer', 'drain', 'e2e', 'rtt-rpc-p50', 'worker-rss', 'cpu-processes-scaling'], 'celery-threads': ['drain', 'worker-rss'] } as const;

const pythonCelery = spawnSync(process.env.BENCH_PYTHON ?? '/usr/bin/python3', ['-c', 'import celery, redis'], { timeout: 30_000 }).status === 0;

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

    expect(stdout).toMatch(/Targets met: \d+\/\d+/);

    const files = (await readdir(outDir)).sort();
    expect(files.map((f) => f.replace(/^bench-.*\./, 'bench.'))).toEqual(['bench.json', 'bench.md', 'bench.png']);
    const png = await readFile(join(outDir, files[2]!));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    const report = JSON.parse(await readFile(join(outDir, files[0]!), 'utf8')) as BenchReport;
    expect(report.smoke).toBe(true);
    expect(report.rows.map((r) => r.id)).toEqual(EXPECTED_ROWS);
    for (const row of report.rows) {
      expect(Number.isFinite(row.celeriac) && row.celeriac > 0, `${row.id}: ${row.celeriac}`).toBe(true);
      if (row.baseline !== null) expect(Number.isFinite(row.baseline) && row.baseline > 0, `${row.id} baseline: ${row.baseline}`).toBe(true);
      if (row.ratio !== null) expect(Number.isFinite(row.ratio) && row.ratio > 0, `${row.id} ratio: ${row.ratio}`).toBe(true);
      if (row.target !== null) expect(row.reason, row.id).toMatch(/\d/);
      for (const [peer, figure] of Object.entries(row.peers)) expect(Number.isFinite(figure.value) && figure.value > 0, `${row.id} ${peer}: ${figure.value}`).toBe(true);
    }
    const skipped = Object.keys(report.skipped);
    expect(skipped).toEqual(pythonCelery ? [] : ['celery-prefork', 'celery-threads']);
    for (const [peer, ids] of Object.entries(PEER_ROWS)) {
      if (skipped.includes(peer)) continue;
      for (const id of ids) expect(report.rows.find((r) => r.id === id)?.peers[peer as keyof typeof PEER_ROWS], `${peer} in ${id}`).toBeDefined();
    }
  }, 120_000);
});
