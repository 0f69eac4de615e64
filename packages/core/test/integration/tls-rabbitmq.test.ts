/**
 * TLS to RabbitMQ, on a private node this file starts with a TLS listener (127.0.0.1:5711) and
 * certificates it makes with openssl: the right CA connects (file, inline PEM, environment, CLI
 * flag); a wrong CA, a wrong server name, a bad key or passphrase fail at connect in one line
 * naming the file and the check, at once and never by turning verification off; mutual TLS with
 * the EXTERNAL mechanism; a Python Celery client over TLS calls a Celeriac worker started by the
 * CLI with TLS flags.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, ConfigurationError, TlsError, createApp, type AppOptions, type CeleriacApp } from '../../src/index.js';
import type { CertPair } from '../helpers/certs.js';
import { silent, unique, until } from '../helpers/env.js';
import { drive } from '../helpers/python.js';
import { startTlsRabbit, TLS_RABBIT_TLS_PORT, type TlsRabbit } from '../helpers/tls-rabbit.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PROTO_APP = fileURLToPath(new URL('../../../../apps/interop-node/proto-app.mjs', import.meta.url));

let r: TlsRabbit;
let other: CertPair;
let client: CertPair;
let stranger: CertPair;
let encryptedKey: string;
const apps: CeleriacApp[] = [];

function app(options: AppOptions): CeleriacApp {
  const a = createApp({ backend: 'rpc://', logger: silent, ...options, amqp: { connectTimeoutMs: 15_000, ...options.amqp } });
  apps.push(a);
  return a;
}

/** Connecting fails with this error class; returns the error and how long it took. */
async function refused(a: CeleriacApp, type: new (...args: never[]) => Error): Promise<{ err: Error; ms: number }> {
  const t0 = Date.now();
  const err = await a.connect().then(() => null, (e: unknown) => e as Error);
  expect(err).toBeInstanceOf(type);
  return { err: err!, ms: Date.now() - t0 };
}

/** One line, no stack: what the user sees. */
function expectOneLine(err: Error): void {
  expect(err.message).not.toContain('\n');
  expect(err.message).not.toMatch(/\bat .*\.js:\d+/);
}

beforeAll(async () => {
  r = await startTlsRabbit();
  other = await r.certs.ca('other');
  client = await r.certs.issue(r.ca, 'client', 'celeriac-ext');
  stranger = await r.certs.issue(other, 'stranger', 'celeriac-ext');
  encryptedKey = await r.certs.encryptKey(client, 'client-enc', 'k3y pass:phrase');
}, 180_000);

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  await r?.stop();
}, 60_000);

describe('TLS to RabbitMQ', () => {
  it('runs tasks over amqps:// with the CA as a file and as inline PEM, and over amqp:// when TLS options are given', async () => {
    const queue = unique('tls');
    const worker = app({ broker: r.url, defaultQueue: queue, amqp: { tls: { ca: r.ca.cert, servername: 'localhost' } } });
    worker.task('tls.add', (x: number, y: number) => x + y);
    const w = worker.worker({ concurrency: 2 });
    await w.start();
    const inline = app({ broker: r.url, defaultQueue: queue, amqp: { tls: { ca: r.certs.read('ca.pem'), servername: 'rabbit.test' } } });
    expect(await (await inline.sendTask('tls.add', [2, 3])).get({ timeout: 20_000 })).toBe(5);
    // Celery's broker_use_ssl semantics: TLS options on an amqp:// URL mean TLS (here on the TLS port)
    const plainScheme = app({ broker: `amqp://guest:guest@127.0.0.1:${TLS_RABBIT_TLS_PORT}`, defaultQueue: queue, amqp: { tls: { ca: r.ca.cert, servername: 'localhost' } } });
    expect(await (await plainScheme.sendTask('tls.add', [20, 22])).get({ timeout: 20_000 })).toBe(42);
    const connections = await r.node.ctl('list_connections', 'ssl', 'ssl_protocol', 'peer_port');
    expect(connections).toMatch(/true\s+tlsv1\.[23]/);
    await w.stop();
  });

  it('refuses a wrong CA, no CA (Node public CAs) and a wrong server name at connect: one line, at once', async () => {
    const wrongCa = await refused(app({ broker: r.url, amqp: { tls: { ca: other.cert, servername: 'localhost' } } }), TlsError);
    expect(wrongCa.err.message).toContain(`is not signed by the CA in ${other.cert}`);
    const publicCas = await refused(app({ broker: r.url, amqp: { tls: { servername: 'localhost' } } }), TlsError);
    expect(publicCas.err.message).toContain("is not signed by Node's bundled public CAs");
    const byIp = await refused(app({ broker: r.url, amqp: { tls: { ca: r.ca.cert } } }), TlsError);
    expect(byIp.err.message).toContain("is not valid for the name '127.0.0.1' (it names DNS:rabbit.test, DNS:localhost)");
    const wrongName = await refused(app({ broker: r.url, amqp: { tls: { ca: r.ca.cert, servername: 'rabbit.example.org' } } }), TlsError);
    expect(wrongName.err.message).toContain("not valid for the name 'rabbit.example.org'");
    for (const { err, ms } of [wrongCa, publicCas, byIp, wrongName]) {
      expectOneLine(err);
      expect(err.message).toMatch(/^TLS: the certificate of the broker at 127\.0\.0\.1:5711 /);
      expect(ms).toBeLessThan(5_000); // no retrying until connectTimeoutMs (15 s here): a certificate does not fix itself
    }
    // a worker does not start either (and never runs with verification quietly off)
    const w = app({ broker: r.url, amqp: { tls: { ca: other.cert } } }).worker();
    await expect(w.start()).rejects.toBeInstanceOf(TlsError);
  });

  it('checks CA, certificate, key and passphrase before connecting, naming the file', async () => {
    const tls = { ca: r.ca.cert, servername: 'localhost' };
    const cases: [AppOptions['amqp'], RegExp][] = [
      [{ tls: { ...tls, cert: client.cert, key: encryptedKey, passphrase: 'wrong' } }, new RegExp(`the passphrase does not open the key ${encryptedKey}`)],
      [{ tls: { ...tls, cert: client.cert, key: encryptedKey } }, new RegExp(`the key ${encryptedKey} is encrypted and no passphrase was given`)],
      [{ tls: { ...tls, cert: client.cert, key: stranger.key } }, new RegExp(`the key ${stranger.key} does not belong to the client certificate ${client.cert}`)],
      [{ tls: { ...tls, ca: '/nonexistent/ca.pem' } }, /cannot read the CA file \/nonexistent\/ca\.pem: no such file/],
      [{ tls: { ...tls, ca: client.key } }, new RegExp(`the CA ${client.key} holds no PEM certificate`)],
      [{ tls: { ...tls, cert: client.cert } }, /a client certificate needs its private key/],
    ];
    for (const [amqp, message] of cases) {
      const { err, ms } = await refused(app({ broker: r.url, amqp }), TlsError);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/^TLS: /);
      expect(err.message).not.toContain('k3y pass:phrase');
      expectOneLine(err);
      expect(ms).toBeLessThan(2_000);
    }
    // the passphrase from a file, or from an environment variable, opens the key
    const passFile = r.certs.path('client-enc.pass');
    await app({ broker: r.url, amqp: { tls: { ...tls, cert: client.cert, key: encryptedKey, passphrase: { file: passFile } } } }).connect();
    process.env.CELERIAC_TEST_KEY_PASS = 'k3y pass:phrase';
    await app({ broker: r.url, amqp: { tls: { ...tls, cert: client.cert, key: { file: encryptedKey }, passphrase: { env: 'CELERIAC_TEST_KEY_PASS' } } } }).connect();
    delete process.env.CELERIAC_TEST_KEY_PASS;
  });

  it('mutual TLS: logs in with the client certificate (EXTERNAL) and runs tasks; refuses a certificate of another CA', async () => {
    await r.node.ctl('add_user', 'celeriac-ext', `unused-${unique('pw')}`);
    await r.node.ctl('set_permissions', 'celeriac-ext', '.*', '.*', '.*');
    const queue = unique('ext');
    const tls = { ca: r.ca.cert, servername: 'localhost', cert: client.cert, key: encryptedKey, passphrase: { file: r.certs.path('client-enc.pass') } };
    const ext = app({ broker: `amqps://127.0.0.1:${TLS_RABBIT_TLS_PORT}`, defaultQueue: queue, amqp: { loginMethod: 'EXTERNAL', tls, connectionName: 'celeriac-ext-test' } });
    ext.task('tls.mul', (x: number, y: number) => x * y);
    const w = ext.worker({ concurrency: 1 });
    await w.start();
    expect(await (await ext.sendTask('tls.mul', [6, 7])).get({ timeout: 20_000 })).toBe(42);
    const connections = await r.node.ctl('list_connections', 'user', 'auth_mechanism', 'ssl');
    expect(connections).toMatch(/celeriac-ext\s+EXTERNAL\s+true/);
    await w.stop();

    const strangerApp = app({ broker: `amqps://127.0.0.1:${TLS_RABBIT_TLS_PORT}`, amqp: { loginMethod: 'EXTERNAL', tls: { ...tls, cert: stranger.cert, key: stranger.key, passphrase: undefined } } });
    const { err } = await refused(strangerApp, TlsError);
    expect(err.message).toContain(`the broker at 127.0.0.1:${TLS_RABBIT_TLS_PORT} refused the client certificate ${stranger.cert}`);
    expectOneLine(err);

    const nobody = await r.certs.issue(r.ca, 'nobody', 'no-such-user');
    const unknownUser = await refused(app({ broker: `amqps://127.0.0.1:${TLS_RABBIT_TLS_PORT}`, amqp: { loginMethod: 'EXTERNAL', tls: { ...tls, cert: nobody.cert, key: nobody.key, passphrase: undefined } } }), AuthenticationError);
    expect(unknownUser.err.message).toContain('refused the login with the client certificate (EXTERNAL)');
    // EXTERNAL without a certificate is a configuration error, before any connection
    await refused(app({ broker: r.url, amqp: { loginMethod: 'EXTERNAL', tls: { ca: r.ca.cert, servername: 'localhost' } } }), ConfigurationError);
    await r.node.ctl('delete_user', 'celeriac-ext');
  });

  it("tls.verify 'none' connects, and warns on every connect", async () => {
    const warnings: string[] = [];
    const a = app({ broker: r.url, logger: { ...silent, warn: (m: string) => warnings.push(m) }, amqp: { tls: { verify: 'none' } } });
    await a.connect();
    expect(warnings.some((w) => w.includes('TLS certificate verification is OFF for 127.0.0.1:5711'))).toBe(true);
  });
});

describe('the CLI and Python Celery over TLS', () => {
  let worker: ChildProcess | undefined;

  afterAll(() => {
    if (worker?.exitCode === null) worker.kill('SIGKILL');
  });

  it('a Python Celery client over TLS calls a Celeriac worker started with --broker-ca / --broker-servername', async () => {
    const queue = unique('tlspy');
    const node = `${queue}@localhost`;
    const env = { ...process.env, INTEROP_BROKER: `amqps://guest:guest@127.0.0.1:${TLS_RABBIT_TLS_PORT}//`, INTEROP_QUEUE: queue, INTEROP_NS: queue, INTEROP_BACKEND: 'rpc://' };
    let output = '';
    worker = spawn(process.execPath, [CLI, 'worker', '-A', PROTO_APP, '-Q', queue, '-n', node, '--broker-ca', r.ca.cert, '--broker-servername', 'localhost'], { env });
    worker.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    worker.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    await until(() => output.includes(`${node} ready.`) || worker!.exitCode !== null, 60_000, 100);
    expect(output).toContain(`${node} ready.`);
    const pyEnv = {
      queue, ns: queue, backend: 'rpc://',
      extra: { INTEROP_BROKER: env.INTEROP_BROKER, INTEROP_BROKER_SSL_CA: r.ca.cert, INTEROP_BROKER_SSL_SERVERNAME: 'localhost' },
    };
    const res = await drive<{ state: string; result: unknown }>(pyEnv, ['call', 'proto.add', '--args', '[40, 2]', '--timeout', '30']);
    expect(res).toMatchObject({ state: 'SUCCESS', result: 42 });
    // the Python side verifies too: with the wrong CA it cannot connect
    const bad = await drive<{ error: string }>({ ...pyEnv, extra: { ...pyEnv.extra, INTEROP_BROKER_SSL_CA: other.cert } }, ['ping', '--timeout', '1'], { allowFailure: true, timeoutMs: 60_000 });
    expect(bad.error).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
    worker.kill('SIGTERM');
    await until(() => worker!.exitCode !== null, 30_000, 100);
  }, 120_000);

  it('with the wrong CA the CLI exits 69 with one line naming the CA file; the environment works like the flags', async () => {
    const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...extraEnv }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    const url = `amqps://guest:guest@127.0.0.1:${TLS_RABBIT_TLS_PORT}`;
    const wrong = await run(['status', '-b', url, '--broker-ca', other.cert, '--broker-servername', 'localhost']);
    expect(wrong.code).toBe(69);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toContain(`is not signed by the CA in ${other.cert}`);
    // inline PEM in the environment (as a Kubernetes secret would give it), line breaks as \n
    const pem = r.certs.read('ca.pem').trim().replace(/\n/g, '\\n');
    const ok = await run(['status', '-b', url, '--timeout', '0.5'], { CELERIAC_BROKER_TLS_CA: pem, CELERIAC_BROKER_TLS_SERVERNAME: 'localhost' });
    expect(ok.stderr).not.toContain('TLS');
    expect(ok.stdout).toContain('0 nodes online.'); // connected; no worker in that namespace answers
    // the password from a file instead of the URL
    const passFile = r.certs.path('guest.pass');
    writeFileSync(passFile, 'guest\n');
    const fromFile = await run(['status', '-b', `amqps://guest@127.0.0.1:${TLS_RABBIT_TLS_PORT}`, '--timeout', '0.5', '--broker-ca', r.ca.cert, '--broker-servername', 'localhost', '--broker-password-file', passFile]);
    expect(fromFile.stdout).toContain('0 nodes online.');
  }, 120_000);
});
