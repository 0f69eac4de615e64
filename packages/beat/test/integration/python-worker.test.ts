/**
 * Celeriac beat → real Python Celery worker: the beat's messages are ordinary Celery task
 * messages, so `proto.add` and `proto.count` run in Python and their results come back.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createApp, createConsoleLogger, type CeleriacApp } from '@celeriac/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBeat, type Beat } from '../../src/beat.js';
import type { SentRun } from '../../src/beat-events.js';
import { every } from '../../src/schedules/every.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { AMQP_URL, newRedis, uniqueName, until, type RedisClient } from './helpers.js';

const INTEROP = fileURLToPath(new URL('../../../../interop/python/', import.meta.url));
const PYTHON = process.env.CELERIAC_PYTHON ?? '/usr/bin/python3';
const BACKEND = 'redis://127.0.0.1:6379/9';
const run = promisify(execFile);

describe('beat → Python Celery worker', () => {
  const name = uniqueName('celeriac_beat_it');
  const node = `${name}_w1@beat`;
  const countKey = `${name}:count`;
  const env = { ...process.env, INTEROP_QUEUE: name, INTEROP_NS: name, INTEROP_BACKEND: BACKEND, INTEROP_BROKER: `${AMQP_URL}//` };
  let worker: ChildProcess;
  let workerExited: Promise<void>;
  let app: CeleriacApp;
  let beat: Beat;
  let redis: RedisClient;
  const sent: SentRun[] = [];

  beforeAll(async () => {
    redis = newRedis();
    worker = spawn(`${INTEROP}worker.sh`, [node, name], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    worker.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    workerExited = new Promise((resolve) => worker.once('exit', () => resolve()));
    try {
      await run(PYTHON, [`${INTEROP}drive.py`, 'ping', '--wait', '60', '--destination', node], { env, cwd: INTEROP });
    } catch (err) {
      throw new Error(`the Python worker did not answer: ${(err as Error).message}\n${stderr}`, { cause: err });
    }
    app = createApp({ broker: AMQP_URL, backend: BACKEND, defaultQueue: name, logger: createConsoleLogger('warn') });
    beat = createBeat(app, {
      name,
      store: new MemoryStore(),
      logger: createConsoleLogger('warn'),
      schedule: {
        'add-every-500ms': { task: 'proto.add', schedule: every(500), args: [1, 2] },
        'count-every-700ms': { task: 'proto.count', schedule: every(700), args: [countKey], options: { queue: name, expires: 60 } },
      },
    });
    beat.events.on('sent', (r) => sent.push(r));
  });

  afterAll(async () => {
    await beat?.stop();
    worker.kill('SIGTERM');
    await workerExited;
    await run(PYTHON, [`${INTEROP}drive.py`, 'cleanup'], { env, cwd: INTEROP });
    const ids = sent.map((r) => `celery-task-meta-${r.taskId}`);
    await redis.del(countKey, ...ids);
    await redis.quit();
    await app?.close();
  });

  it('runs the tasks the beat sends', async () => {
    await beat.start();
    await until(() => sent.filter((r) => r.task === 'proto.add').length >= 3 && sent.filter((r) => r.task === 'proto.count').length >= 3, 15_000, 'three runs of each entry');
    await beat.stop();

    const adds = sent.filter((r) => r.task === 'proto.add');
    const results = await Promise.all(adds.map((r) => app.asyncResult<number>(r.taskId).get({ timeout: 15_000 })));
    expect(results).toEqual(adds.map(() => 3));

    const counts = sent.filter((r) => r.task === 'proto.count').length;
    await until(async () => Number(await redis.get(countKey)) === counts, 15_000, `proto.count to run ${counts} times`);
    expect(Number(await redis.get(countKey))).toBe(counts);
  });
});
