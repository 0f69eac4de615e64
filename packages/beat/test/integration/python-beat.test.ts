/**
 * Python `celery beat` → Celeriac worker: Celery beat's messages are the same ordinary task
 * messages, so a TypeScript worker runs them.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, createConsoleLogger } from '@celeriac/core';
import { describe, expect, it } from 'vitest';
import { AMQP_URL, uniqueName, until } from './helpers.js';

const INTEROP = fileURLToPath(new URL('../../../../interop/python/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const PYTHON = process.env.CELERIAC_PYTHON ?? '/usr/bin/python3';

describe('Python celery beat → Celeriac worker', () => {
  it('runs what celery beat sends', async () => {
    const name = uniqueName('celeriac_beat_it');
    const task = `${name}.tick`;
    const dir = await mkdtemp(join(tmpdir(), 'celeriac-pybeat-'));
    // the worker's events go to <name>_ev, not Celery's shared celeryev exchange
    const app = createApp({ broker: AMQP_URL, backend: null, defaultQueue: name, controlExchange: name, eventExchange: `${name}_ev`, logger: createConsoleLogger('warn') });
    const calls: { arg: unknown; at: number }[] = [];
    app.task(task, (arg: unknown) => {
      calls.push({ arg, at: Date.now() });
    });
    const worker = app.worker({ queues: [name], control: false, concurrency: 1 });
    await worker.start();
    const beat = spawn(PYTHON, ['-m', 'celery', '-A', 'celery_beat_schedule', 'beat', '-s', join(dir, 'celerybeat-schedule'), '--max-interval', '1', '-l', 'warning'], {
      cwd: FIXTURES,
      env: {
        ...process.env, PYTHONPATH: INTEROP, INTEROP_BROKER: `${AMQP_URL}//`, INTEROP_BACKEND: 'redis://127.0.0.1:6379/9',
        INTEROP_QUEUE: name, INTEROP_NS: name, BEAT_TASK: task, BEAT_ARG: name, BEAT_EVERY: '1',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => beat.once('exit', () => resolve()));
    try {
      await until(() => calls.length >= 3, 20_000, 'three runs sent by celery beat');
      expect(calls.every((c) => c.arg === name)).toBe(true);
      const spacing = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
      for (const s of spacing) expect(s).toBeGreaterThan(500); // one per second, not a burst
    } finally {
      beat.kill('SIGTERM');
      await exited;
      await worker.stop();
      await app.broker.deleteQueue(name);
      await app.broker.deleteExchange(name);
      await app.broker.deleteExchange(`${name}_ev`);
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
