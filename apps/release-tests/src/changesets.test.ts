/**
 * Releases go through changesets: `changeset version`, run on a copy of the repository's
 * manifests and changeset config, bumps the packages a changeset names, writes their
 * CHANGELOG.md, and leaves the adapters alone while core stays inside their `^` peer range.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGES, readPackageJson, ROOT } from './packages.js';
import { run } from './processes.js';

const CHANGESET = join(ROOT, 'node_modules/.bin/changeset');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The root manifest, the workspace file, the changeset config and each package's manifest. */
function copyOfRepository(withPendingChangesets: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-changesets-'));
  dirs.push(dir);
  for (const f of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(ROOT, f), join(dir, f));
  mkdirSync(join(dir, '.changeset'));
  for (const f of readdirSync(join(ROOT, '.changeset'))) {
    if (f === 'config.json' || (withPendingChangesets && f.endsWith('.md') && f !== 'README.md')) cpSync(join(ROOT, '.changeset', f), join(dir, '.changeset', f));
  }
  for (const p of PACKAGES) {
    mkdirSync(join(dir, 'packages', p), { recursive: true });
    cpSync(join(ROOT, 'packages', p, 'package.json'), join(dir, 'packages', p, 'package.json'));
  }
  return dir;
}

const version = (dir: string, p: string) => (JSON.parse(readFileSync(join(dir, 'packages', p, 'package.json'), 'utf8')) as { version: string }).version;

describe('changesets', () => {
  it('a core patch bumps core only and writes its changelog', async () => {
    const dir = copyOfRepository(false);
    writeFileSync(join(dir, '.changeset', 'quiet-fix.md'), "---\n'@celeriac/core': patch\n---\n\nWorkers log the queue of a rejected message.\n");
    const r = await run(CHANGESET, ['version'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const before = readPackageJson('core').version.split('.').map(Number);
    expect(version(dir, 'core')).toBe(`${before[0]}.${before[1]}.${before[2]! + 1}`);
    for (const p of PACKAGES.filter((x) => x !== 'core')) expect(version(dir, p)).toBe(readPackageJson(p).version);
    expect(readFileSync(join(dir, 'packages/core/CHANGELOG.md'), 'utf8')).toContain('- Workers log the queue of a rejected message.');
    expect(existsSync(join(dir, '.changeset', 'quiet-fix.md'))).toBe(false);
    expect(readFileSync(join(dir, 'packages/express/package.json'), 'utf8')).toContain('"@celeriac/core": "workspace:^"');
  });

  it('the pending changesets of this branch are valid and bump no package to a new major', async () => {
    const dir = copyOfRepository(true);
    const r = await run(CHANGESET, ['version'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    for (const p of PACKAGES) {
      expect(version(dir, p).split('.')[0], p).toBe(readPackageJson(p).version.split('.')[0]);
    }
  });
});
