/**
 * The `celeriac` command spelled as Celery's, against the real RabbitMQ and Redis: global -A
 * before the command, -l/-c/-Q/-X, --logfile/--pidfile, --purge, mingle's duplicate node name
 * warning, call -a/-k/--routing-key, result --traceback, and the one-line refusals.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, REDIS_URL, unique, until } from '../helpers/env.js';
import { rabbitApp, type TestApp } from '../helpers/rabbit-app.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PROTO_DIR = fileURLToPath(new URL('../../../../apps/interop-node/', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Run { code: number; stdout: string; stderr: string; ms: number }

function run(args: string[], env: NodeJS.ProcessEnv = {}, stdin = '', cwd = PROTO_DIR): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, ms: Date.now() - started }));
    child.stdin!.end(stdin);
  });
}

function startWorker(args: string[], env: NodeJS.ProcessEnv): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, ...args], { cwd: PROTO_DIR, env: { ...process.env, ...env } });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, exited };
}

describe('celeriac -A proj worker -l info -c 4 -Q a,b', () => {
  const ns = unique('clic');
  const [a, b, x] = [`${ns}_a`, `${ns}_b`, `${ns}_x`];
  const env = { INTEROP_QUEUE: a, INTEROP_NS: ns, INTEROP_BACKEND: REDIS_URL, INTEROP_BROKER: AMQP_URL };
  const node = `${ns}@${hostname()}`;
  let dir: string;
  let t: TestApp;
  let w: ReturnType<typeof startWorker>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'celeriac-cli-'));
    t = rabbitApp({ defaultQueue: a, controlExchange: ns, backend: REDIS_URL });
    for (const q of [b, x]) await t.app.topology.ensureTaskQueue(q);
    await t.app.sendTask('proto.add', [1, 1], {}, { queue: b }); // waiting before the worker starts: --purge deletes it
    w = startWorker(['-A', 'proto-app', 'worker', '-l', 'info', '-c', '4', '-Q', `${a},${b},${x}`, '-X', x, '-n', `${ns}@%h`,
      '--purge', '-f', join(dir, '%n.log'), '--pidfile', join(dir, '%n.pid'), '-O', 'fair', '--without-gossip', '--without-heartbeat'], env);
    await until(() => existsSync(join(dir, `${ns}.log`)) && readFileSync(join(dir, `${ns}.log`), 'utf8').includes(`${node} ready.`), 30_000, 50);
  }, 40_000);

  afterAll(async () => {
    if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    for (const q of [b, x]) {
      await t.app.broker.deleteQueue(q).catch(() => undefined);
      await t.app.broker.deleteExchange(q).catch(() => undefined);
    }
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('consumes -Q minus -X with -c 4, after purging the waiting messages', async () => {
    expect(w.out()).toContain('.> concurrency: 4');
    expect(w.out()).toMatch(new RegExp(`\\.> ${a} `));
    expect(w.out()).toMatch(new RegExp(`\\.> ${b} `));
    expect(w.out()).not.toMatch(new RegExp(`\\.> ${x} `));
    expect(w.out()).toContain('Purged 1 message from 2 known task queues.');
    const viaB = await run(['-A', 'proto-app', 'call', 'proto.add', '-a', '[2, 3]', '--queue', b, '--wait'], env);
    expect([viaB.code, viaB.stdout.trim()]).toEqual([0, '5']);
    const queues = await run(['inspect', 'active_queues', '-d', node, '-j', '-A', 'proto-app'], env);
    expect((JSON.parse(queues.stdout) as Record<string, { name: string }[]>[])[0]![node]!.map((q) => q.name).sort()).toEqual([a, b].sort());
  });

  it('logs to --logfile (not stderr) and writes --pidfile; a second worker with that pidfile is refused', async () => {
    expect(w.out()).not.toContain('ready.');
    expect(readFileSync(join(dir, `${ns}.log`), 'utf8')).toContain('mingle: all alone');
    expect(readFileSync(join(dir, `${ns}.pid`), 'utf8').trim()).toBe(String(w.proc.pid));
    const second = await run(['-A', 'proto-app', 'worker', '-Q', a, '--pidfile', join(dir, `${ns}.pid`)], env);
    expect(second.code).toBe(64);
    expect(second.stderr).toBe(`celeriac: pidfile ${join(dir, `${ns}.pid`)} already exists: process ${w.proc.pid} is running (stop it, or pass another --pidfile)\n`);
  });

  it('refuses a second worker with the same node name, with or without mingle', async () => {
    const line = `celeriac: DuplicateNodenameWarning: another worker already runs as ${node}; give each worker a unique node name with -n, e.g. -n w2@%h\n`;
    for (const extra of [[], ['--without-mingle']]) {
      const dup = await run(['-A', 'proto-app', 'worker', '-Q', a, '-n', node, ...extra], env);
      expect(dup.code, extra.join(' ')).toBe(64);
      expect(dup.stderr.split('\n').filter((l) => l.startsWith('celeriac:')).join('\n') + '\n').toBe(line);
    }
    const status = await run(['status', '-d', node, '-A', 'proto-app'], env);
    expect(status.stdout).toContain(`${node}: OK`); // the first one was not disturbed
  }, 30_000);

  it('mingle: a new worker takes the revoked ids of the running one', async () => {
    const revokedId = `revoked-${ns}`;
    await run(['control', 'revoke', revokedId, '-d', node, '-A', 'proto-app'], env);
    await until(async () => (await run(['inspect', 'revoked', '-d', node, '-j', '-A', 'proto-app'], env)).stdout.includes(revokedId), 10_000, 200);
    const second = `${ns}_2@${hostname()}`;
    const w2 = startWorker(['-A', 'proto-app', 'worker', '-Q', a, '-n', second], env);
    try {
      await until(() => w2.out().includes('ready.'), 20_000, 50);
      expect(w2.out()).toMatch(/mingle: sync with \d+ nodes/);
      expect(w2.out()).not.toContain('DuplicateNodenameWarning');
      const revoked = await run(['inspect', 'revoked', '-d', second, '-j', '-A', 'proto-app'], env);
      expect((JSON.parse(revoked.stdout) as Record<string, string[]>[])[0]![second]).toContain(revokedId);
    } finally {
      w2.proc.kill('SIGTERM');
      await w2.exited;
    }
  }, 40_000);

  it('call -k with --exchange/--routing-key, result and result --traceback', async () => {
    const id = await run(['call', 'proto.add', '-k', '{"x": 20, "y": 22}', '--exchange', '', '--routing-key', b, '-A', 'proto-app'], env);
    expect(id.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    const res = await run(['result', id.stdout.trim(), '-A', 'proto-app'], env);
    expect([res.code, res.stdout.trim()]).toEqual([0, '42']);
    const failed = await run(['call', 'proto.fail', '-a', '["boom"]', '-A', 'proto-app'], env);
    const failedId = failed.stdout.trim();
    await until(async () => (await t.app.asyncResult(failedId).state()) === 'FAILURE', 10_000, 50);
    const tb = await run(['result', failedId, '--traceback', '-A', 'proto-app'], env);
    expect(tb.code).toBe(0);
    expect(tb.stdout).toMatch(/boom/);
    const plain = await run(['result', failedId, '-A', 'proto-app'], env);
    expect([plain.code, plain.stderr]).toEqual([1, `celeriac: task ${failedId} FAILURE: ValueError: boom\n`]);
  });

  it('inspect conf and control pool_grow reach the worker', async () => {
    const conf = await run(['-A', 'proto-app', 'inspect', 'conf', '-d', node, '-j'], env);
    expect(conf.code, conf.stderr).toBe(0);
    expect(Object.keys((JSON.parse(conf.stdout) as Record<string, object>[])[0]![node]!).length).toBeGreaterThan(0);
    const grow = await run(['-A', 'proto-app', 'control', 'pool_grow', '2', '-d', node], env);
    expect(grow.stdout).toContain('pool will grow');
    const stats = await run(['-A', 'proto-app', 'inspect', 'stats', '-d', node, '-j'], env);
    expect((JSON.parse(stats.stdout) as Record<string, { pool: { 'max-concurrency': number } }>[])[0]![node]!.pool['max-concurrency']).toBe(6);
  });

  it('stops on SIGTERM with a warm shutdown and removes its pidfile', async () => {
    w.proc.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(readFileSync(join(dir, `${ns}.log`), 'utf8')).toContain('SIGTERM received: warm shutdown');
    expect(existsSync(join(dir, `${ns}.pid`))).toBe(false);
  });
});

describe('celeriac one-line refusals', () => {
  it('fails fast on a closed port and an unknown host', async () => {
    for (const url of ['amqp://guest:secret@127.0.0.1:1', 'amqp://guest:secret@no-such-host.invalid']) {
      const r = await run(['status', '-b', url]);
      expect(r.code).toBe(69);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toMatch(/^celeriac: cannot reach the broker at amqp:\/\/guest:\*\*\*@/);
      expect(r.stderr).not.toContain('secret');
      expect(r.ms).toBeLessThan(3000);
    }
  });

  it('report prints versions and settings with the password masked', async () => {
    const r = await run(['report', '-b', 'amqp://guest:secret@127.0.0.1:1', '--result-backend', 'rpc://']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`software -> celeriac:${VERSION} node:${process.version}`);
    expect(r.stdout).toContain('broker: amqp://guest:***@127.0.0.1:1');
    expect(r.stdout).not.toContain('secret');
  });

  it('--workdir changes directory before -A is resolved; worker -I imports more task modules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'celeriac-include-'));
    const ns = unique('clii');
    try {
      const report = await run(['--workdir', PROTO_DIR, '-A', 'proto-app', 'report'], {}, '', dir);
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toMatch(/tasks: .*proto\.add/);
      writeFileSync(join(dir, 'extra.mjs'), `import { app } from ${JSON.stringify(join(PROTO_DIR, 'proto-app.mjs'))};\napp.task('extra.hello', () => 'hi');\n`);
      const worker = startWorker(['-A', 'proto-app', 'worker', '-I', join(dir, 'extra.mjs'), '--without-mingle'], { INTEROP_QUEUE: ns, INTEROP_NS: ns, INTEROP_BROKER: AMQP_URL });
      try {
        await until(() => worker.out().includes('ready.'), 20_000, 50);
        expect(worker.out()).toContain('. extra.hello');
      } finally {
        worker.proc.kill('SIGTERM');
        await worker.exited;
      }
    } finally {
      await rabbitApp({ defaultQueue: ns, controlExchange: ns }).cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains how to run TypeScript for -A ./tasks.ts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'celeriac-ts-'));
    try {
      writeFileSync(join(dir, 'tasks.ts'), 'export const app: number = 1;\n');
      const r = await run(['-A', join(dir, 'tasks.ts'), 'worker']);
      expect(r.code).toBe(64);
      expect(r.stderr).toMatch(/^celeriac: .*tasks\.ts is TypeScript, which Node v\d+\.\d+\.\d+ does not run by itself: compile it \(tsc.*--import tsx/);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the alternative for what is deliberately unsupported, in --help and when used', async () => {
    const help = await run(['worker', '--help']);
    expect(help.stdout).toMatch(/-P, --pool <pool>\s+where tasks run/);
    expect(help.stdout).toMatch(/-D, --detach\s+\(not supported/);
    expect(help.stdout).toContain('-A, --app <module>'); // global options shown on every command
    for (const [args, text] of [
      [['worker', '-P', 'eventlet2', '-A', 'proto-app'], 'unknown pool "eventlet2": use async, threads or processes'],
      [['worker', '-P', 'threads', '--autoscale', '2,4', '-A', 'proto-app'], '--autoscale must be max,min with max >= min'],
      [['worker', '-S', 'x.db', '-A', 'proto-app'], '-S/--statedb is not supported'],
      [['multi', 'start', 'w1'], 'multi is not supported: start one `celeriac worker'],
      [['beat', '-s', 'x.db', '-A', 'proto-app'], '-s/--schedule is not supported: pass store: new FileStore'],
      [['worker', '-O', 'fast', '-A', 'proto-app'], "option '-O <optimization>' argument 'fast' is invalid"],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr, args.join(' ')).toContain(text);
    }
    // which of the two -B lines depends on whether @celeriac/beat resolves from here (the install test sees both)
    const beat = await run(['worker', '-B', '-A', 'proto-app']);
    expect(beat.stderr).toMatch(/^celeriac: -B (runs @celeriac\/beat in the worker: npm install @celeriac\/beat|needs the -A module \(proto-app\) to export the beat)/);
  });

  it('lists every working inspect and control method in --help, and prints the package version', async () => {
    const inspect = await run(['inspect', '--help']);
    for (const m of ['ping', 'active', 'reserved', 'scheduled', 'revoked', 'registered', 'stats', 'active_queues', 'query_task', 'clock', 'conf', 'report']) expect(inspect.stdout).toMatch(new RegExp(`\\n  ${m} `));
    const control = await run(['control', '--help']);
    for (const m of ['revoke', 'shutdown', 'rate_limit', 'time_limit', 'heartbeat', 'add_consumer', 'cancel_consumer', 'enable_events', 'disable_events', 'pool_grow', 'pool_shrink']) expect(control.stdout).toMatch(new RegExp(`\\n  ${m} `));
    const top = await run(['--help']);
    for (const c of ['worker', 'beat', 'call', 'result', 'inspect', 'control', 'status', 'purge', 'events', 'report']) expect(top.stdout).toMatch(new RegExp(`\\n  ${c} `));
    expect((await run(['--version'])).stdout.trim()).toBe(VERSION);
    const level = await run(['worker', '-l', 'chatty', '-A', 'proto-app']);
    expect([level.code, level.stderr]).toEqual([64, 'celeriac: -l/--loglevel must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, FATAL (got chatty)\n']);
  });
});
