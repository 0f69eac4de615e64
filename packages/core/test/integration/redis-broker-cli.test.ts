/** The `celeriac` command line on a Redis broker: worker, call, inspect, control, purge, and an unreachable Redis. */
import { execFile, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, unique, until } from '../helpers/env.js';
import { deletePrefix } from '../helpers/redis-broker-app.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PROTO_APP = fileURLToPath(new URL('../../../../apps/interop-node/proto-app.mjs', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('celeriac CLI on a Redis broker', () => {
  const queue = unique('clirb');
  const prefix = `${queue}:`;
  const env = { INTEROP_QUEUE: queue, INTEROP_NS: queue, INTEROP_BACKEND: REDIS_URL, INTEROP_BROKER: REDIS_URL, INTEROP_BROKER_KEYPREFIX: prefix };
  const node = `${queue}@${hostname()}`;
  let worker: ReturnType<typeof spawn>;
  let output = '';

  beforeAll(async () => {
    worker = spawn(process.execPath, [CLI, 'worker', '-A', PROTO_APP, '-c', '2', '-n', node], { env: { ...process.env, ...env } });
    worker.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    worker.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await until(() => output.includes(`${node} ready.`), 20_000, 50);
  }, 30_000);

  afterAll(async () => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
    await deletePrefix(REDIS_URL, prefix);
  });

  it('shows the Redis transport and runs `call`, `inspect ping`, `control` and `purge`', async () => {
    expect(output).toContain('.> transport:   redis://127.0.0.1:6379/9');
    const call = await run(['-A', PROTO_APP, 'call', 'proto.add', '--args', '[2,3]', '--wait'], env);
    expect(call.stdout.trim()).toBe('5');
    const ping = await run(['-A', PROTO_APP, 'inspect', 'ping', '-d', node], env);
    expect(ping.stdout).toContain(`-> ${node}: OK`);
    const cancel = await run(['-A', PROTO_APP, 'control', 'cancel_consumer', queue, '-d', node], env);
    expect(cancel.stdout).toContain(`no longer consuming from ${queue}`);
    for (let i = 0; i < 3; i++) expect((await run(['-A', PROTO_APP, 'call', 'proto.add', '--args', '[1,1]'], env)).code).toBe(0);
    const purge = await run(['-A', PROTO_APP, 'purge', '-f'], env);
    expect(purge.stdout).toContain('Purged 3 messages');
    const stop = await run(['-A', PROTO_APP, 'control', 'shutdown', '-d', node], env);
    expect(stop.code).toBe(0);
    await until(() => worker.exitCode !== null, 15_000);
  }, 60_000);

  it('says in one line when Redis cannot be reached', async () => {
    const down = await run(['-b', 'redis://127.0.0.1:1/0', 'inspect', 'ping']);
    expect(down.code).toBe(69);
    expect(down.stderr).toMatch(/^celeriac: cannot reach the broker at redis:\/\/127\.0\.0\.1:1\/0: connection refused\n$/);
  });
});
