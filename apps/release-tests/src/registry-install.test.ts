/**
 * Install as users install: every package is packed, published to a local Verdaccio, and
 * installed by name with `npm install` into fresh projects outside the repository (ESM
 * TypeScript, CommonJS, an Express app, a Nest app laid out and compiled as `nest new` does);
 * each runs a task end to end on the real RabbitMQ. Unique queue names, deleted afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp, type CeleriacApp } from '@celeriac/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshProject } from './fresh-project.js';
import { startLocalRegistry, type LocalRegistry } from './local-registry.js';
import { pack, PACKAGES, readPackageJson } from './packages.js';
import { run, start } from './processes.js';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9';
const TOOLS = { typescript: '5.9.3', '@types/node': '20.19.43' };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const work = mkdtempSync(join(tmpdir(), 'celeriac-install-'));
const queues: string[] = [];
let registry: LocalRegistry;
let client: CeleriacApp;

function queueName(what: string): string {
  const q = `celeriac_test_install_${what}_${randomBytes(4).toString('hex')}`;
  queues.push(q);
  return q;
}

async function poll<T>(check: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`no result within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  registry = await startLocalRegistry(join(work, 'registry'));
  for (const p of PACKAGES) await registry.publish((await pack(p, work)).filename);
  client = createApp({ broker: AMQP_URL, backend: REDIS_URL, logger: silent });
}, 180_000);

afterAll(async () => {
  for (const q of queues) {
    for (const name of [q, `${q}_b`]) {
      await client.broker.deleteQueue(name).catch(() => undefined);
      await client.broker.deleteExchange(name).catch(() => undefined);
    }
    for (const x of [`${q}.pidbox`, `reply.${q}.pidbox`]) await client.broker.deleteExchange(x).catch(() => undefined);
  }
  await client?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('installed from a registry by name', () => {
  it('ESM TypeScript: compiles against the published types, runs a task, and runs the celeriac CLI', async () => {
    const dir = await freshProject(work, { fixture: 'esm-ts', type: 'module', install: ['@celeriac/core'], devDependencies: TOOLS }, registry.npmrc);
    const queue = queueName('esm');
    const env = { AMQP_URL, QUEUE: queue };
    const tsc = await run('npx', ['tsc'], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const main = await run('node', ['dist/main.js'], { cwd: dir, env, timeoutMs: 60_000 });
    expect([main.code, main.stdout.trim()]).toEqual([0, '5']);

    // the Done-when command of the issue, from node_modules/.bin
    const worker = start(join(dir, 'node_modules/.bin/celeriac'), ['-A', 'dist/tasks', 'worker', '-l', 'info', '-c', '4', '-Q', `${queue},${queue}_b`], { cwd: dir, env });
    try {
      await worker.waitFor(/ready\./);
      expect(worker.output()).toContain('.> concurrency: 4');
      const call = await run('npx', ['celeriac', '-A', 'dist/tasks', 'call', 'tasks.add', '-a', '[20, 22]', '--queue', `${queue}_b`, '--wait'], { cwd: dir, env });
      expect([call.code, call.stdout.trim()]).toEqual([0, '42']);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain('SIGTERM received: warm shutdown');
    } finally {
      await worker.stop();
    }
    const beat = await run('npx', ['celeriac', '-A', 'dist/tasks', 'worker', '-B'], { cwd: dir, env });
    expect([beat.code, beat.stderr.trim()]).toEqual([64, 'celeriac: -B runs @celeriac/beat in the worker: npm install @celeriac/beat, then export const beat = createBeat(app, { schedule }) from the -A module (or run `celeriac beat` as its own process)']);
    const version = await run('npx', ['celeriac', '--version'], { cwd: dir });
    expect(version.stdout.trim()).toBe(readPackageJson('core').version);
    const redis = await run('node', ['dist/redis-without-ioredis.js'], { cwd: dir });
    expect(redis.stdout.trim()).toBe('the redis:// result backend needs the ioredis package: npm install ioredis');
    // @celeriac/core/testing: the conformance suites, compiled above against its types, run with a plain runner
    const suites = await run('node', ['dist/transport-suite.js'], { cwd: dir, timeoutMs: 60_000 });
    expect([suites.code, suites.stderr]).toEqual([0, '']);
    expect(suites.stdout.trim()).toMatch(/^(\d+) passed, 0 failed$/);
    expect(Number(suites.stdout.trim().split(' ')[0])).toBeGreaterThanOrEqual(20);
  });

  it('CommonJS: require() works (also of @celeriac/core/testing), and the optional ioredis peer is loaded for redis://', async () => {
    const dir = await freshProject(work, { fixture: 'cjs', type: 'commonjs', install: ['@celeriac/core', 'ioredis'] }, registry.npmrc);
    const queue = queueName('cjs');
    const r = await run('node', ['index.js'], { cwd: dir, env: { AMQP_URL, REDIS_URL, QUEUE: queue }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const [value, info, testing] = r.stdout.trim().split('\n');
    expect(value).toBe('42');
    expect(JSON.parse(info!)).toMatchObject({ status: 'SUCCESS', result: 42 });
    expect(testing).toBe('@celeriac/core/testing: function function function');
  });

  it('Express app (the README set-up): 202, the result, and SIGTERM lets the running task finish', async () => {
    const dir = await freshProject(work, {
      fixture: 'express-app', type: 'module',
      install: ['@celeriac/core', '@celeriac/express', 'express', 'ioredis'],
      devDependencies: { ...TOOLS, '@types/express': '5.0.6' },
    }, registry.npmrc);
    const queue = queueName('express');
    const tsc = await run('npx', ['tsc'], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const server = start('node', ['dist/server.js'], { cwd: dir, env: { AMQP_URL, RESULT_BACKEND: REDIS_URL, QUEUE: queue, PORT: '0', REPORT_MS: '1500' } });
    try {
      const port = (await server.waitFor(/listening (\d+)/))[1];
      const post = await fetch(`http://127.0.0.1:${port}/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"ada"}' });
      expect(post.status).toBe(202);
      const { id } = (await post.json()) as { id: string };
      const done = await poll(async () => {
        const body = (await (await fetch(`http://127.0.0.1:${port}/reports/${id}`)).json()) as { state: string; result: unknown };
        return body.state === 'SUCCESS' ? body : null;
      });
      expect(done.result).toEqual({ userId: 'ada', pages: 6 });

      const second = (await (await fetch(`http://127.0.0.1:${port}/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"bob"}' })).json()) as { id: string };
      await server.waitFor(new RegExp(`building ${second.id}`));
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(await client.asyncResult(second.id).get({ timeout: 5_000 })).toEqual({ userId: 'bob', pages: 6 });
    } finally {
      await server.stop();
    }
  });

  it('Nest app (nest new layout, CommonJS, plain tsc): a task through the controller, and a drained SIGTERM', async () => {
    const dir = await freshProject(work, {
      fixture: 'nest-app', type: 'commonjs',
      install: ['@celeriac/core', '@celeriac/nestjs', '@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'],
      devDependencies: TOOLS,
    }, registry.npmrc);
    const queue = queueName('nest');
    const tsc = await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const app = start('node', ['dist/main'], { cwd: dir, env: { AMQP_URL, QUEUE: queue, PORT: '0' } });
    try {
      const port = (await app.waitFor(/listening (\d+)/))[1];
      const send = async (body: object) => ((await (await fetch(`http://127.0.0.1:${port}/math/add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { id: string }).id;
      const id = await send({ x: 2, y: 3 });
      const done = await poll(async () => {
        const body = (await (await fetch(`http://127.0.0.1:${port}/math/result/${id}`)).json()) as { state: string; result: unknown };
        return body.state === 'SUCCESS' ? body : null;
      });
      expect(done.result).toBe(5);

      const slow = await send({ x: 1, y: 1, ms: 1500 });
      await app.waitFor(new RegExp(`running ${slow}`));
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe('SIGTERM'); // Nest's shutdown hooks re-raise the signal once closed
      // finished and acknowledged, not killed mid-way and requeued
      expect((await client.broker.inspectQueue(queue))?.messageCount).toBe(0);
      expect(app.output()).toMatch(/Worker \S+ stopped/);
    } finally {
      await app.stop();
    }
  });
});
