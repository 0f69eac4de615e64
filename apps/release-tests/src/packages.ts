/** The published packages of this repository, and `pnpm pack` for them (workspace: ranges become real ones). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from './processes.js';

export const REPOSITORY = 'https://github.com/celeriac/celeriac';
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PACKAGES = ['core', 'express', 'nestjs', 'beat', 'otel'] as const;
export type PackageDir = (typeof PACKAGES)[number];

export const packageDir = (dir: PackageDir) => `${ROOT}packages/${dir}`;

export interface PackageJson {
  name: string;
  version: string;
  [field: string]: unknown;
}

export function readPackageJson(dir: PackageDir): PackageJson {
  return JSON.parse(readFileSync(`${packageDir(dir)}/package.json`, 'utf8')) as PackageJson;
}

export interface Packed {
  name: string;
  version: string;
  filename: string;
  files: string[];
}

export async function pack(dir: PackageDir, destination: string): Promise<Packed> {
  const r = await run('pnpm', ['pack', '--pack-destination', destination, '--json'], { cwd: packageDir(dir), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`pnpm pack in packages/${dir} failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout) as { name: string; version: string; filename: string; files: { path: string }[] };
  return { name: out.name, version: out.version, filename: out.filename, files: out.files.map((f) => f.path).sort() };
}
