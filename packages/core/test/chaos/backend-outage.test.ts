/**
 * The result backend goes away (a private Redis server is shut down) while a worker is busy:
 * the worker keeps running, nothing is acked before its outcome is stored, and every result
 * is recorded once Redis is back.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/index.js';
import { AMQP_URL, silent, unique, until } from '../helpers/env.js';

const PORT = 6391;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'celeriac-redis-'));

function startRedis(): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--dir', dir]);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-server exited ${code}`))));
  });
}

/** Shuts Redis down, saving its data first (a restart, not a wipe: results stored before stay). */
function stopRedis(save = true): Promise<void> {
  return new Promise((resolve) => execFile('redis-cli', ['-p', String(PORT), 'shutdown', save ? 'save' : 'nosave'], () => resolve()));
}

describe('result backend outage', () => {
  afterAll(async () => {
    await stopRedis(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the worker running while Redis is down and records every result after it returns', async () => {
    await startRedis();
    const queue = unique('backend_outage');
    const app = createApp({ broker: AMQP_URL, backend: `redis://127.0.0.1:${PORT}/0`, defaultQueue: queue, controlExchange: queue, eventExchange: `${queue}_ev`, logger: silent });
    let runs = 0;
    const work = app.task('outage.work', async (i: number) => {
      runs++;
      await sleep(5);
      return i * 2;
    });
    const worker = app.worker({ concurrency: 8 });
    await worker.start();
    const sent = [];
    for (let i = 0; i < 100; i++) sent.push(await work.delay(i));
    await until(() => runs > 10, 10_000, 5);
    await stopRedis();
    const downAt = Date.now();
    for (let i = 100; i < 300; i++) sent.push(await work.delay(i));
    await sleep(2000);
    expect(worker.state).toBe('running');
    const unackedDuringOutage = (await app.broker.inspectQueue(queue))?.messageCount ?? 0;
    await startRedis();
    const results = await Promise.all(sent.map((r) => r.get({ timeout: 60_000 })));
    console.log(`[chaos] redis backend down ${((Date.now() - downAt) / 1000).toFixed(1)} s: tasks=300 results=${results.length} runs=${runs} worker=${worker.state} waiting_in_queue_during_outage=${unackedDuringOutage}`);
    expect(results).toEqual(sent.map((_, i) => i * 2));
    expect(worker.state).toBe('running');
    await worker.stop();
    await app.broker.deleteQueue(queue);
    await app.broker.deleteExchange(queue);
    await app.broker.deleteExchange(`${queue}_ev`);
    await app.broker.deleteExchange(`${queue}.pidbox`);
    await app.close();
  }, 120_000);
});
