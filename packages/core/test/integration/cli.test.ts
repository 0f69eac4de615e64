/** The `celeriac` command line against the real RabbitMQ: worker, call, inspect, control, status, purge, errors. */
import { execFile, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, REDIS_URL, unique, until } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PROTO_APP = fileURLToPath(new URL('../../../../apps/interop-node/proto-app.mjs', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}, stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}

describe('celeriac CLI', () => {
  const queue = unique('cli');
  const env = { INTEROP_QUEUE: queue, INTEROP_NS: queue, INTEROP_BACKEND: REDIS_URL, INTEROP_BROKER: AMQP_URL };
  const node = `${queue}@${hostname()}`;
  let worker: ReturnType<typeof spawn>;
  let output = '';
  let t: TestApp;

  beforeAll(async () => {
    t = rabbitApp({ defaultQueue: queue, controlExchange: queue });
    worker = spawn(process.execPath, [CLI, 'worker', '-A', PROTO_APP, '-Q', queue, '-c', '4', '-n', node, '-E'], { env: { ...process.env, ...env } });
    worker.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    worker.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await until(() => output.includes(`${node} ready.`), 20_000, 50);
  }, 30_000);

  afterAll(async () => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
    await t.cleanup();
  });

  it('prints a Celery-like banner with broker, backend, queues, concurrency and tasks', () => {
    expect(output).toContain('.> transport:   amqp://guest:***@');
    expect(output).toContain('.> results:     redis://');
    expect(output).toContain(`.> ${queue}`);
    expect(output).toContain('.> concurrency: 4');
    expect(output).toContain('. proto.add');
  });

  it('calls a task and prints its result with --wait; failures exit 1', async () => {
    const ok = await run(['call', 'proto.add', '--args', '[2, 3]', '--wait', '-A', PROTO_APP], env);
    expect([ok.code, ok.stdout.trim()]).toEqual([0, '5']);
    const id = await run(['call', 'proto.add', '--kwargs', '{"x": 1, "y": 2}', '-A', PROTO_APP], env);
    expect(id.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    const res = await run(['result', id.stdout.trim(), '-A', PROTO_APP], env);
    expect([res.code, res.stdout.trim()]).toEqual([0, '3']);
    const fail = await run(['call', 'proto.fail', '--args', '["bad"]', '--wait', '-A', PROTO_APP], env);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('FAILURE: ValueError: bad');
  });

  it('inspects and controls the worker', async () => {
    const ping = await run(['inspect', 'ping', '-d', node, '-A', PROTO_APP], env);
    expect(ping.code).toBe(0);
    expect(ping.stdout).toContain('pong');
    const reg = await run(['inspect', 'registered', '-d', node, '--json', '-A', PROTO_APP], env);
    expect(JSON.parse(reg.stdout)[0][node]).toContain('proto.add');
    const status = await run(['status', '-A', PROTO_APP], env);
    expect(status.stdout).toContain(`${node}: OK`);
    const add = await run(['control', 'add_consumer', `${queue}_extra`, '-d', node, '-A', PROTO_APP], env);
    expect(add.stdout).toContain(`add consumer ${queue}_extra`);
    const revoke = await run(['control', 'revoke', 'abc', '-A', PROTO_APP], env);
    expect(revoke.code).toBe(0);
    // stop consuming before deleting, or the worker's broker would declare the queue again
    const cancel = await run(['control', 'cancel_consumer', `${queue}_extra`, '-d', node, '-A', PROTO_APP], env);
    expect(cancel.stdout).toContain(`no longer consuming from ${queue}_extra`);
    await t.app.broker.deleteQueue(`${queue}_extra`);
    await t.app.broker.deleteExchange(`${queue}_extra`);
  });

  it('purges after a yes from stdin or with -f; no answer refuses, "n" aborts', async () => {
    await t.app.topology.ensureTaskQueue(`${queue}_p`);
    await t.app.sendTask('x', [], {}, { queue: `${queue}_p` });
    await t.app.sendTask('x', [], {}, { queue: `${queue}_p` });
    const refused = await run(['purge', '-Q', `${queue}_p`, '-A', PROTO_APP], env);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain('pass -f');
    const aborted = await run(['purge', '-Q', `${queue}_p`, '-A', PROTO_APP], env, 'n\n');
    expect([aborted.code, aborted.stdout.trim().split('\n').at(-1)]).toEqual([1, 'Aborted!']);
    const yes = await run(['-A', PROTO_APP, 'purge', '-Q', `${queue}_p,${queue}`, '-X', queue], env, 'y\n');
    expect(yes.stdout).toContain(`remove all tasks from 1 queue: ${queue}_p.`);
    expect(yes.stdout).toContain('Purged 2 messages from 1 known task queue.');
    await t.app.sendTask('x', [], {}, { queue: `${queue}_p` });
    const purged = await run(['purge', '-Q', `${queue}_p`, '-f', '-A', PROTO_APP], env);
    expect(purged.stdout).toContain('Purged 1 message');
    await t.app.broker.deleteQueue(`${queue}_p`);
    await t.app.broker.deleteExchange(`${queue}_p`);
  });

  it('explains bad arguments and an unreachable broker in one line', async () => {
    const bad = await run(['call', 'x', '--args', '{not json', '-A', PROTO_APP], env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^celeriac: --args is not valid JSON/);
    const down = await run(['inspect', 'ping', '-b', 'amqp://guest:guest@127.0.0.1:1', '-t', '1'], { ...env });
    expect(down.code).toBe(69);
    expect(down.stderr).toMatch(/^celeriac: cannot reach the broker at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/);
    expect(down.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const help = await run(['worker', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--concurrency');
  }, 30_000);

  it('tails events as JSON lines', async () => {
    const tail = spawn(process.execPath, [CLI, 'events', '--json', '-A', PROTO_APP], { env: { ...process.env, ...env } });
    let lines = '';
    tail.stdout!.on('data', (b: Buffer) => (lines += b.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    const r = await run(['call', 'proto.add', '--args', '[4, 4]', '--wait', '-A', PROTO_APP], env);
    expect(r.stdout.trim()).toBe('8');
    await until(() => lines.includes('"task-succeeded"'), 10_000, 50);
    tail.kill('SIGINT');
    const events = lines.trim().split('\n').map((l) => JSON.parse(l) as { type: string; hostname: string });
    expect(events.some((e) => e.type === 'task-received' && e.hostname === node)).toBe(true);
  });

  it('stops on a remote shutdown', async () => {
    await run(['control', 'shutdown', '-d', node, '-A', PROTO_APP], env);
    await until(() => worker.exitCode !== null, 20_000, 50);
    expect(worker.exitCode).toBe(0);
  });
});

describe('celeriac worker signals', () => {
  it('SIGTERM finishes the running task then exits 0; SIGQUIT stops at once and the task goes back; REMAP_SIGTERM; Ctrl-C during a soft shutdown exits at once', async () => {
    const queue = unique('cli_sig');
    const env = { INTEROP_QUEUE: queue, INTEROP_NS: queue, INTEROP_BACKEND: REDIS_URL, INTEROP_BROKER: AMQP_URL };
    const t = rabbitApp({ defaultQueue: queue, controlExchange: queue, backend: REDIS_URL });
    const start = async (name: string, more: string[] = [], extraEnv: Record<string, string> = {}) => {
      const w = spawn(process.execPath, [CLI, 'worker', '-A', PROTO_APP, '-Q', queue, '-n', `${name}@${hostname()}`, ...more], { env: { ...process.env, ...env, ...extraEnv } });
      let out = '';
      w.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      w.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      await until(() => out.includes('ready.'), 20_000, 50);
      return { w, out: () => out };
    };
    try {
      const a = await start('warm');
      const r1 = await t.app.sendTask('proto.sleep', [1]);
      await until(async () => (await r1.state()) === 'STARTED', 10_000, 20);
      a.w.kill('SIGTERM');
      await until(() => a.w.exitCode !== null, 20_000, 50);
      expect(a.w.exitCode).toBe(0);
      expect(await r1.get({ timeout: 1000 })).toBe(1);
      expect(a.out()).toContain('warm shutdown');

      const b = await start('cold');
      const r2 = await t.app.sendTask('proto.sleep', [3]);
      await until(async () => (await r2.state()) === 'STARTED', 10_000, 20);
      b.w.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      // as Celery 5.5: more SIGTERMs are ignored during a warm shutdown, SIGQUIT (or Ctrl-C) goes cold
      b.w.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      expect(b.w.exitCode).toBeNull();
      b.w.kill('SIGQUIT');
      await until(() => b.w.exitCode !== null, 5000, 50);
      expect(b.w.exitCode).toBe(1);
      expect(b.out()).toContain('already shutting down');
      expect(b.out()).toContain('cold shutdown');
      // the unfinished task was not acked: it is back on the queue and a new worker completes it
      const c = await start('again');
      expect(await r2.get({ timeout: 20_000 })).toBe(3);
      c.w.kill('SIGTERM');
      await until(() => c.w.exitCode !== null, 20_000, 50);

      // REMAP_SIGTERM=SIGQUIT: one SIGTERM is a cold shutdown
      const d = await start('remap', [], { REMAP_SIGTERM: 'SIGQUIT' });
      const r3 = await t.app.sendTask('proto.sleep', [2]);
      await until(async () => (await r3.state()) === 'STARTED', 10_000, 20);
      d.w.kill('SIGTERM');
      await until(() => d.w.exitCode !== null, 5000, 50);
      expect(d.w.exitCode).toBe(1);
      expect(d.out()).toContain('SIGTERM (as SIGQUIT) received: cold shutdown');

      // a soft shutdown (SIGQUIT with --soft-shutdown-timeout) waits; Ctrl-C then exits at once (hard)
      const e = await start('soft', ['--soft-shutdown-timeout', '60']);
      await until(async () => (await r3.state()) === 'STARTED', 10_000, 20);
      e.w.kill('SIGQUIT');
      await until(() => e.out().includes('Initiating Soft Shutdown, terminating in 60 seconds'), 5000, 50);
      expect(e.w.exitCode).toBeNull();
      e.w.kill('SIGINT');
      await until(() => e.w.exitCode !== null, 5000, 50);
      expect(e.w.exitCode).toBe(1);
      expect(e.out()).toContain('hard shutdown');
      // r3 ran in neither to the end: it is still waiting, and a last worker completes it
      const f = await start('last');
      expect(await r3.get({ timeout: 20_000 })).toBe(2);
      f.w.kill('SIGTERM');
      await until(() => f.w.exitCode !== null, 20_000, 50);
    } finally {
      await t.cleanup();
    }
  }, 90_000);
});
