/**
 * A task that kills its worker process is redelivered to every restart; the delivery limit
 * ends that, on classic and quorum queues: each worker here runs in a child process that dies
 * (SIGKILL or process.exit) while running the task, and is restarted as a supervisor would,
 * until the message is dead-lettered with FAILURE WorkerLostError stored. The task runs exactly
 * `deliveryLimit` times, another task in the same queue runs once, and the last worker lives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVERY_COUNT_HEADER } from '../../src/index.js';
import { AMQP_URL, REDIS_URL, until } from '../helpers/env.js';
import { depth, reasonOf, takeDeadLetters } from '../helpers/dead-letters.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

const CHILD = fileURLToPath(new URL('../fixtures/workers/crash-worker.mjs', import.meta.url));
const LIMIT = 3;

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** Starts a worker process; `exited` resolves with how it ended (it may die before it prints anything). */
function startChild(args: string[]): { child: ChildProcess; exited: Promise<string> } {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}: ${stderr}`)));
  return { child, exited };
}

for (const quorum of [false, true]) {
  describe(`delivery limit on a ${quorum ? 'quorum' : 'classic'} queue`, () => {
    let t: TestApp;
    const children: ChildProcess[] = [];
    afterEach(async () => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await t?.cleanup();
    });

    it(`a task that kills its worker runs ${LIMIT} times, then is dead-lettered with FAILURE WorkerLostError`, async () => {
      t = rabbitApp({ prefix: quorum ? 'dlq_quorum' : 'dlq_classic', backend: REDIS_URL, quorumQueues: quorum });
      const { app, queue, ns } = t;
      await app.topology.ensureTaskQueue(queue);
      const dir = mkdtempSync(join(tmpdir(), 'celeriac-crash-'));
      const runsFile = join(dir, 'runs');
      const okFile = join(dir, 'ok');
      writeFileSync(runsFile, '');
      writeFileSync(okFile, '');
      const crash = await app.sendTask('t.crash');
      const ok = await app.sendTask('t.ok', ['fine']);
      const args = [AMQP_URL, REDIS_URL, queue, ns, quorum ? '1' : '0', String(LIMIT), runsFile, okFile];

      // a supervisor: restart the worker each time it dies, until the poison message is gone
      let restarts = 0;
      let survivor: ChildProcess | null = null;
      while (survivor === null) {
        expect(restarts).toBeLessThanOrEqual(LIMIT + 1);
        const { child, exited } = startChild(args);
        children.push(child);
        const how = await Promise.race([
          exited,
          until(async () => (await depth(app, `${queue}.dlq`)) === 1 && lines(okFile).length === 1, 20_000).then(() => null),
        ]);
        if (how === null) survivor = child;
        else {
          expect(['SIGKILL', 'exit 3: ']).toContain(how); // died in the task, not of anything else
          restarts++;
        }
      }

      // the task sees each delivery after a crash as redelivered, as in Celery
      expect(lines(runsFile)).toEqual(['run redelivered=false', ...Array.from({ length: LIMIT - 1 }, () => 'run redelivered=true')]);
      expect(restarts).toBe(LIMIT);
      expect(lines(okFile)).toEqual(['fine']);
      expect(await ok.get({ timeout: 10_000 })).toBe('fine');
      const failure = await crash.get({ timeout: 10_000 }).catch((e: unknown) => e);
      expect(failure).toMatchObject({ state: 'FAILURE', excType: 'WorkerLostError', excModule: 'billiard.exceptions' });
      expect(String((failure as Error).message)).toContain(`delivered ${LIMIT} times without an outcome`);

      const [dead] = await takeDeadLetters(app, queue, 1);
      expect(reasonOf(dead!)).toMatch(/^delivery limit reached/);
      expect(dead!.properties.headers.task).toBe('t.crash');
      expect(dead!.properties.headers[DELIVERY_COUNT_HEADER]).toBe(LIMIT - 1);
      expect(await depth(app, queue)).toBe(0);
      // the last worker is alive and still consuming
      expect(survivor.exitCode).toBeNull();
      const again = await app.sendTask('t.ok', ['still here']);
      expect(await again.get({ timeout: 10_000 })).toBe('still here');
      survivor.kill('SIGTERM');
    }, 120_000);
  });
}
