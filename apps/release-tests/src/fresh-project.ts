/** A new project folder outside the repository, filled from `fixtures/<name>` and installed with npm by package name. */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './processes.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
/** npm's cache survives between runs, so only the first run downloads the dependencies. */
export const NPM_CACHE = fileURLToPath(new URL('../node_modules/.cache/npm', import.meta.url));

export interface ProjectSpec {
  fixture: string;
  /** `module` for ESM, `commonjs` as `nest new` (no "type" field). */
  type: 'module' | 'commonjs';
  /** Installed by name, as a user types them: `npm install <these>`. */
  install: readonly string[];
  /** Pinned tools written into devDependencies before the install. */
  devDependencies?: Readonly<Record<string, string>>;
}

export async function freshProject(root: string, spec: ProjectSpec, npmrc: string): Promise<string> {
  const dir = join(root, spec.fixture);
  mkdirSync(dir, { recursive: true });
  cpSync(join(FIXTURES, spec.fixture), dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({
    name: `celeriac-install-test-${spec.fixture}`,
    private: true,
    ...(spec.type === 'module' ? { type: 'module' } : {}),
    devDependencies: spec.devDependencies ?? {},
  }, null, 2)}\n`);
  const r = await run('npm', ['install', ...spec.install, '--userconfig', npmrc, '--cache', NPM_CACHE, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`npm install ${spec.install.join(' ')} failed in ${dir}:\n${r.stderr}`);
  return dir;
}
