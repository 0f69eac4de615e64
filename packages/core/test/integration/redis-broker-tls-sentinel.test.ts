/**
 * The Redis broker's other URL forms on private servers: `rediss://` (TLS-only redis-server on
 * 6397, certificates made by the test; a wrong CA fails at connect in one line) and
 * `sentinel://` (a redis-server on 6394 watched by a Sentinel on 26394 started with
 * `redis-server --sentinel`; the broker asks the Sentinel for the master).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TlsError, createApp, type AppOptions, type CeleriacApp } from '../../src/index.js';
import { certSet, type CertPair } from '../helpers/certs.js';
import { silent, unique } from '../helpers/env.js';
import { startTlsRedis, type TlsRedis } from '../helpers/tls-redis.js';

const apps: CeleriacApp[] = [];

function app(broker: string, redisBroker: AppOptions['redisBroker'] = {}): CeleriacApp {
  const a = createApp({ broker, backend: 'memory://', logger: silent, defaultQueue: unique('rbx'), redisBroker: { connectTimeoutMs: 5000, ...redisBroker } });
  apps.push(a);
  return a;
}

async function roundTrip(a: CeleriacApp): Promise<unknown> {
  a.task('rbx.add', (x: number, y: number) => x + y);
  const w = a.worker({ concurrency: 1 });
  await w.start();
  try {
    return await (await a.sendTask('rbx.add', [19, 23])).get({ timeout: 15_000 });
  } finally {
    await w.stop();
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function started(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
});

describe('rediss:// broker', () => {
  let ca: CertPair;
  let other: CertPair;
  let redis: TlsRedis;

  beforeAll(async () => {
    const certs = certSet('tls-redis-broker');
    ca = await certs.ca('ca');
    other = await certs.ca('other');
    const server = await certs.issue(ca, 'redis', 'redis.test', ['DNS:redis.test', 'DNS:localhost']);
    redis = await startTlsRedis({ port: 6397, ca: ca.cert, server });
  }, 60_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('runs a task over TLS with the CA and server name given', async () => {
    expect(await roundTrip(app('rediss://127.0.0.1:6397/0', { tls: { ca: ca.cert, servername: 'localhost' } }))).toBe(42);
  });

  it('fails at connect, in one line naming the CA, when the certificate does not chain to it', async () => {
    const a = app('rediss://127.0.0.1:6397/0', { tls: { ca: other.cert, servername: 'localhost' } });
    const err = await a.broker.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('sentinel:// broker', () => {
  let master: ChildProcess | undefined;
  let sentinel: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-sentinel-'));

  beforeAll(async () => {
    master = spawn('redis-server', ['--port', '6394', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    await started(master, 6394);
    writeFileSync(join(dir, 'sentinel.conf'), 'port 26394\nbind 127.0.0.1\nsentinel monitor celeriac_master 127.0.0.1 6394 1\n');
    sentinel = spawn('redis-server', [join(dir, 'sentinel.conf'), '--sentinel', '--dir', dir], { stdio: 'ignore' });
    await started(sentinel, 26394);
  }, 60_000);

  afterAll(async () => {
    for (const a of apps.splice(0)) await a.close().catch(() => undefined);
    await stop(sentinel);
    await stop(master);
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master through the Sentinel and runs a task', async () => {
    const a = app('sentinel://127.0.0.1:26394/0', { masterName: 'celeriac_master' });
    expect(a.broker.displayUrl).toBe('sentinel://127.0.0.1:26394/0');
    expect(await roundTrip(a)).toBe(42);
    // the CLI form: the master's name in the URL
    expect(await roundTrip(app('sentinel://127.0.0.1:26394/0?master_name=celeriac_master'))).toBe(42);
  });

  it('needs the master name', () => {
    expect(() => app('sentinel://127.0.0.1:26394/0')).toThrow(/master name/);
  });
});
