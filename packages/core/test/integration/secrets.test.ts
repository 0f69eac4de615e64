/**
 * Secrets stay secret: a broker password given in the URL (percent-encoded, with `@ : / %`),
 * in a file or in an environment variable never shows in the worker's banner, its log (at
 * debug level, through a forced disconnect and reconnect), `inspect stats`, `inspect conf`,
 * `inspect report`, broker stats, or a login error; the password file and variable replace the
 * URL's password.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, createApp } from '../../src/index.js';
import { silent, unique, until } from '../helpers/env.js';
import { rabbitmqctl, testVhost, urlFor, type TestUser, type TestVhost } from '../helpers/rabbit-admin.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PASSWORD = `S3cr3t@:/%é-${unique('pw').slice(-8)}`;
const forms = [PASSWORD, encodeURIComponent(PASSWORD), PASSWORD.slice(0, 6)];

let v: TestVhost;
let user: TestUser;
let dir: string;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }));
  });
}

function expectNoSecret(text: string): void {
  for (const form of forms) expect(text).not.toContain(form);
}

beforeAll(async () => {
  v = await testVhost('secret');
  ({ user } = (await v.users({ user: { configure: '.*', write: '.*', read: '.*' } }, () => PASSWORD)) as { user: TestUser });
  dir = mkdtempSync(join(tmpdir(), 'celeriac-secrets-'));
}, 120_000);

afterAll(async () => {
  await v?.remove();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('secrets', () => {
  for (const source of ['url', 'file', 'env'] as const) {
    it(`a password from the ${source} never shows in the banner, the log, inspect stats, conf or report`, async () => {
      const node = `secret_${source}_${unique('n')}@${hostname()}`;
      const bare = `amqp://${encodeURIComponent(user.name)}@127.0.0.1:5672/${encodeURIComponent(v.name)}`;
      const passFile = join(dir, 'broker.pass');
      writeFileSync(passFile, `${PASSWORD}\n`);
      const args = source === 'url' ? ['-b', user.url] : source === 'file' ? ['-b', bare, '--broker-password-file', passFile] : ['-b', bare];
      const env = { CELERIAC_LOG: 'debug', ...(source === 'env' ? { CELERIAC_BROKER_PASSWORD: PASSWORD } : {}) };
      let output = '';
      const worker: ChildProcess = spawn(process.execPath, [CLI, 'worker', ...args, '-n', node], { env: { ...process.env, ...env } });
      worker.stdout!.on('data', (b: Buffer) => (output += b.toString()));
      worker.stderr!.on('data', (b: Buffer) => (output += b.toString()));
      try {
        await until(() => output.includes(`${node} ready.`) || worker.exitCode !== null, 30_000, 50);
        expect(output).toContain(`${node} ready.`);
        expect(output).toContain(`.> transport:   amqp://${encodeURIComponent(user.name)}${source === 'url' ? ':***' : ''}@127.0.0.1:5672/${v.name}`);
        // drop its connection: the log says why, and it reconnects
        const connections = await rabbitmqctl('list_connections', '-p', v.name, 'pid', 'user');
        for (const line of connections.split('\n').filter((l) => l.includes(user.name))) {
          await rabbitmqctl('close_connection', line.split('\t')[0]!, `test closes ${PASSWORD} connection`).catch(() => undefined);
        }
        await until(() => /reconnected after/.test(output), 30_000, 100);
        const stats = await run(['inspect', 'stats', '-j', '-d', node, '-t', '5', ...args], env);
        expect(stats.code).toBe(0);
        expect(stats.out).toContain('"disconnects":1');
        expectNoSecret(stats.out);
        // what Flower asks every worker for: its settings and the bug report
        const client = createApp({ broker: user.url, backend: null, logger: silent });
        try {
          const conf = await client.control.inspect('conf', { with_defaults: true }, { destination: [node], timeout: 5000 });
          expect(Object.keys(conf)).toEqual([node]);
          const report = await client.control.inspect('report', {}, { destination: [node], timeout: 5000 });
          expectNoSecret(JSON.stringify(conf));
          expectNoSecret(JSON.stringify(report));
        } finally {
          await client.close();
        }
        expectNoSecret(output);
      } finally {
        worker.kill('SIGTERM');
        await until(() => worker.exitCode !== null, 20_000, 50).catch(() => worker.kill('SIGKILL'));
      }
    }, 90_000);
  }

  it('a wrong password, from any source, fails the first connect at once, naming the user, not the password', async () => {
    const wrong = `${PASSWORD}-wrong`;
    for (const amqp of [{}, { password: wrong }, { password: { env: 'CELERIAC_TEST_WRONG' } }]) {
      process.env.CELERIAC_TEST_WRONG = wrong;
      const app = createApp({ broker: urlFor(user.name, amqp === undefined || Object.keys(amqp).length === 0 ? wrong : 'unused', v.name), logger: silent, amqp });
      const t0 = Date.now();
      const err = await app.connect().catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err!.message).toBe(`the broker at 127.0.0.1:5672 refused the login of user '${user.name}' (PLAIN): wrong user name or password`);
      expect(Date.now() - t0).toBeLessThan(5_000);
      for (const form of [wrong, encodeURIComponent(wrong)]) expect(JSON.stringify(app.broker.stats?.())).not.toContain(form);
      await app.close();
    }
    delete process.env.CELERIAC_TEST_WRONG;
  });
});
