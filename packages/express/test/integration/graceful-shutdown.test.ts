/**
 * With the README's set-up, SIGTERM lets the running task finish (its result is stored), then
 * the process exits 0; without gracefulShutdown() Node's default would kill the task mid-way.
 * Real RabbitMQ and Redis; unique queue names, deleted afterwards.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApp } from '@celeriac/core';
import { describe, expect, it } from 'vitest';
import { AMQP_URL, REDIS_URL, eventually, uniqueName } from '../support.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/drain-app.mjs', import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('gracefulShutdown()', () => {
  it('SIGTERM drains: the running task completes, HTTP stops, the process exits 0', async () => {
    const queue = uniqueName('celeriac_express_test_drain');
    const client = createApp({ broker: AMQP_URL, backend: REDIS_URL, defaultQueue: queue, controlExchange: queue, logger: silent });
    const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, AMQP_URL, REDIS_URL, QUEUE: queue } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const port = await eventually(() => /listening (\d+)/.exec(out)?.[1] ?? null, 20_000);
      const r = await client.sendTask<string>('drain.slow', [2000]);
      await eventually(() => out.includes(`started ${r.id}`), 10_000);
      const signalledAt = Date.now();
      child.kill('SIGTERM');
      // the HTTP server refuses new connections while the task is still running
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/ping`).then(() => false, () => true)), 5_000);
      expect(await exited).toBe(0);
      expect(Date.now() - signalledAt).toBeGreaterThan(1000); // it waited for the task
      expect(await r.get({ timeout: 5_000 })).toBe('done');
      expect(out).toContain('SIGTERM received: graceful shutdown');
      expect(out).toContain('graceful shutdown: done');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await client.broker.deleteQueue(queue).catch(() => undefined);
      await client.broker.deleteExchange(queue).catch(() => undefined);
      for (const x of [`${queue}.pidbox`, `reply.${queue}.pidbox`]) await client.broker.deleteExchange(x).catch(() => undefined);
      await client.close();
    }
  }, 40_000);
});
