/**
 * What `npm install` would download: each packed tarball has a LICENSE, the metadata npm's page
 * shows, `^` peer ranges on @celeriac/core (never `workspace:`), and only the files that its
 * `exports` and `bin` load (plus the chunks those import); its README links are absolute.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, PACKAGES, REPOSITORY, type PackageDir, type Packed, type PackageJson } from './packages.js';

const dir = mkdtempSync(join(tmpdir(), 'celeriac-pack-'));
const packed = new Map<PackageDir, Packed & { manifest: PackageJson; root: string }>();

beforeAll(async () => {
  for (const p of PACKAGES) {
    const info = await pack(p, dir);
    const root = join(dir, p);
    execFileSync('mkdir', ['-p', root]);
    execFileSync('tar', ['xzf', info.filename, '-C', root]);
    const manifest = JSON.parse(readFileSync(join(root, 'package', 'package.json'), 'utf8')) as PackageJson;
    packed.set(p, { ...info, manifest, root: join(root, 'package') });
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Every file reachable from the entry points through relative imports and requires. A dynamic
 * `import("./x.js")` counts when x.js is in the tarball (a code-split chunk); otherwise it is
 * text, as in the CLI's help for `shell`.
 */
function reachable(root: string, entries: readonly string[], files: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = posix.normalize(queue.pop()!);
    if (seen.has(file)) continue;
    seen.add(file);
    const declaration = /\.d\.(c|m)?ts$/.test(file);
    if (!declaration && !/\.(c|m)?js$/.test(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:from\s*|require\(\s*)["'](\.\.?\/[^"']+)["']/g)) {
      // a declaration file names the types of a shared chunk by its JavaScript name: './x.js' is './x.d.ts', './x.cjs' is './x.d.cts'
      const target = declaration ? m[1]!.replace(/\.(c|m)?js$/, '.d.$1ts') : m[1]!;
      queue.push(posix.join(dirname(file), target));
    }
    // entry files a bundle starts by path (worker threads, forked children): new URL('./x.js', import.meta.url)
    for (const m of text.matchAll(/(?:import\(|new URL\()\s*["'](\.\.?\/[^"']+)["']/g)) {
      const target = posix.join(dirname(file), m[1]!);
      if (files.includes(target)) queue.push(target);
    }
  }
  return seen;
}

function entryFiles(manifest: PackageJson): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.bin);
  for (const f of ['main', 'module', 'types']) walk(manifest[f]);
  return out;
}

describe.each(PACKAGES)('the @celeriac/%s tarball', (p) => {
  it('holds only what exports and bin use, a LICENSE and the README', () => {
    const { files, manifest, root } = packed.get(p)!;
    const used = reachable(root, entryFiles(manifest), files);
    const extra = files.filter((f) => !used.has(f) && !['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md'].includes(f));
    expect(extra).toEqual([]);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    for (const f of used) expect(files, `${f} is used by an entry point but not packed`).toContain(f);
  });

  it('has the metadata npm shows, and real version ranges', () => {
    const { manifest } = packed.get(p)!;
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${p}` },
      homepage: `${REPOSITORY}/tree/main/packages/${p}#readme`,
      bugs: { url: `${REPOSITORY}/issues` },
      engines: { node: '>=20.19' },
    });
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    const peers = (manifest.peerDependencies ?? {}) as Record<string, string>;
    if (p !== 'core') expect(peers['@celeriac/core']).toBe(`^${packed.get('core')!.version}`);
  });

  it('links to absolute URLs in its README (relative ones break on the registry page)', () => {
    const readme = readFileSync(join(packed.get(p)!.root, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links.filter((l) => !/^(https?:|mailto:|#)/.test(l))).toEqual([]);
    for (const l of links.filter((x) => x.includes('github.com/celeriac/'))) expect(l, 'the repository URL of package.json').toMatch(new RegExp(`^${REPOSITORY}([/#]|$)`));
  });

  it('says how to install it with npm, including type packages where the framework needs them', () => {
    const readme = readFileSync(join(packed.get(p)!.root, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`\\nnpm install [^\\n]*@celeriac/${p}`));
    if (p === 'express') expect(readme).toMatch(/npm install -D [^\n]*@types\/express/);
  });
});

describe('@celeriac/core', () => {
  it('needs ioredis only as an optional peer, and ships the CLI as ESM only', () => {
    const { manifest, files } = packed.get('core')!;
    expect(manifest.dependencies).not.toHaveProperty('ioredis');
    expect(manifest.peerDependencies).toHaveProperty('ioredis');
    expect(manifest.peerDependenciesMeta).toEqual({ ioredis: { optional: true } });
    expect(files).not.toContain('dist/cli.cjs');
    expect(manifest.bin).toEqual({ celeriac: './dist/cli.js' });
  });

  it('exports the conformance suites as @celeriac/core/testing, ESM and CommonJS with types', () => {
    const { manifest, files } = packed.get('core')!;
    const testing = entryFiles({ name: manifest.name, version: manifest.version, exports: (manifest.exports as Record<string, unknown>)['./testing'] });
    expect(testing.sort()).toEqual(['dist/testing.cjs', 'dist/testing.d.cts', 'dist/testing.d.ts', 'dist/testing.js']);
    for (const f of testing) expect(files).toContain(f);
  });
});
