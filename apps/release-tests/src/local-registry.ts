/**
 * A throw-away npm registry for the install test: Verdaccio on 127.0.0.1 (a free port), storage
 * in a temp folder, this machine's npm registry as uplink for everything but `@celeriac/*` (never
 * proxied, so only what this repository packs can be installed under that scope).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './processes.js';

const VERDACCIO = fileURLToPath(new URL('../node_modules/verdaccio/bin/verdaccio', import.meta.url));

export interface LocalRegistry {
  url: string;
  /** An npmrc with the registry and a publish token. */
  npmrc: string;
  publish(tarball: string): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited (${child.exitCode}):\n${log()}`);
    const ok = await fetch(`${url}-/ping`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer within 60 s:\n${log()}`);
}

/** The registry this machine's npm uses (a mirror, if ~/.npmrc names one), as Verdaccio's uplink. */
async function upstreamRegistry(): Promise<string> {
  const r = await run('npm', ['config', 'get', 'registry'], { cwd: process.cwd(), timeoutMs: 30_000 });
  const url = r.stdout.trim();
  return /^https?:\/\//.test(url) ? url.replace(/\/?$/, '/') : 'https://registry.npmjs.org/';
}

export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePort();
  const upstream = await upstreamRegistry();
  const url = `http://127.0.0.1:${port}/`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    `storage: ${join(dir, 'storage')}`,
    `listen: 127.0.0.1:${port}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(dir, 'htpasswd')}`,
    'uplinks:',
    '  npmjs:',
    `    url: ${upstream}`,
    '    timeout: 60s',
    'packages:',
    "  '@celeriac/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    proxy: npmjs',
    'log: { type: stdout, format: pretty, level: error }',
    '',
  ].join('\n'));
  const child = spawn(process.execPath, [VERDACCIO, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  await waitUntilUp(url, child, () => log);

  const res = await fetch(`${url}-/user/org.couchdb.user:celeriac`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'celeriac', password: 'local-test-only', type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const { token } = (await res.json()) as { token?: string };
  if (!token) throw new Error(`verdaccio refused to create the publishing user (${res.status})`);
  const npmrc = join(dir, 'npmrc');
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);

  return {
    url,
    npmrc,
    async publish(tarball) {
      const r = await run('npm', ['publish', tarball, '--userconfig', npmrc, '--registry', url, '--no-provenance'], { cwd: dir });
      if (r.code !== 0) throw new Error(`npm publish ${tarball} failed:\n${r.stderr}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
