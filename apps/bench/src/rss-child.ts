/**
 * The memory scenario's worker, run in a child process so only the worker is measured: drains
 * the queued tasks with `concurrency`, sampling `process.memoryUsage.rss()` every 5 ms, and
 * prints one JSON line (`RssReport`) on stdout.
 */
import { benchApp } from './bench-app.js';
import { celeriacDrain } from './celeriac-worker.js';
import type { RssChildConfig, RssReport } from './worker-rss.js';

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_RSS_CHILD ?? 'null') as RssChildConfig | null;
  if (!config) throw new Error('rss-child is started by the bench (BENCH_RSS_CHILD is not set)');
  const idle = process.memoryUsage.rss();
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const bench = benchApp(config.amqpUrl, config.names, null);
  try {
    const { rate } = await celeriacDrain(bench, config.tasks, config.concurrency);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    const report: RssReport = {
      idleMb: idle / MB,
      sampledPeakMb: peak / MB,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      rate,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    clearInterval(sampler);
    await bench.app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
