/**
 * Finds the app for a CLI command, as Celery's `-A`: `-A proj` loads `./proj.js` (or `.mjs`,
 * `.cjs`, `./proj/index.js`, or the package `proj`), `-A ./dist/tasks.js:myApp` names the
 * export (default `app`). Without `-A`, `-b/--broker` (or `$AMQP_URL`) and `--result-backend`
 * build one.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp, type CeleriacApp } from '../app.js';
import { probeBroker } from './broker-probe.js';
import { CliError, EXIT } from './cli-error.js';
import { applyConnectionFlags } from './connection-flags.js';

export interface AppFlags {
  app?: string;
  broker?: string;
  resultBackend?: string;
  /** The pre-5.0 spelling of --result-backend, still accepted. */
  backend?: string;
  /** `-I/--include`: more modules to import once the app is loaded (they register tasks on it). */
  include?: string;
}

const TS = /\.[cm]?tsx?$/;
const CANDIDATES = ['', '.js', '.mjs', '.cjs', '/index.js', '/index.mjs', '/index.cjs'];

const tsHint = (spec: string) =>
  `${spec} is TypeScript, which Node ${process.version} does not run by itself: compile it (tsc, then -A ./dist/<file>.js) ` +
  `or load a TypeScript loader, e.g. npm install -D tsx, then NODE_OPTIONS="--import tsx" celeriac -A ${spec} worker`;

/** `proj:app` → ['proj', 'app']; a Windows drive (`C:\...`) is not an export name. */
export function splitAppSpec(spec: string): { module: string; exportName: string | undefined } {
  const m = /^(.+):([A-Za-z_$][\w$]*)$/.exec(spec);
  return m && !/^[A-Za-z]$/.test(m[1]!) ? { module: m[1]!, exportName: m[2]! } : { module: spec, exportName: undefined };
}

export function resolveModule(spec: string): string {
  const base = resolve(process.cwd(), spec);
  for (const suffix of CANDIDATES) {
    const path = base + suffix;
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  for (const ts of ['.ts', '.mts', '/index.ts']) {
    if (existsSync(base + ts)) return base + ts; // loads with a TypeScript loader; otherwise the hint
  }
  const looked = CANDIDATES.map((s) => `${spec}${s}`).join(', ');
  if (/^[./]/.test(spec)) throw new CliError(`cannot find the app module "${spec}": looked for ${looked}`, EXIT.USAGE);
  try {
    return createRequire(resolve(process.cwd(), 'noop.js')).resolve(spec); // a package name, as Celery imports a module
  } catch {
    throw new CliError(`cannot find the app module "${spec}": looked for ${looked} and a package named ${spec}`, EXIT.USAGE);
  }
}

export async function importModule(spec: string): Promise<Record<string, unknown>> {
  const path = resolveModule(spec);
  try {
    // a .ts file loads when a loader (tsx, ts-node, Node's type stripping) handles it
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    if (TS.test(path) && (err as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') throw new CliError(tsHint(TS.test(spec) ? spec : `./${relative(process.cwd(), path)}`), EXIT.USAGE);
    throw new CliError(`could not load ${spec}: ${(err as Error).message}`, EXIT.USAGE);
  }
}

function isApp(v: unknown): v is CeleriacApp {
  return typeof v === 'object' && v !== null && typeof (v as CeleriacApp).task === 'function' && typeof (v as CeleriacApp).worker === 'function';
}

export async function loadApp(flags: AppFlags): Promise<{ app: CeleriacApp; module: Record<string, unknown> | null }> {
  applyConnectionFlags(flags as Record<string, unknown>); // before the app module creates its app
  if (flags.app) {
    const { module: spec, exportName } = splitAppSpec(flags.app);
    const module = await importModule(spec);
    const name = exportName ?? 'app';
    const def = module.default as Record<string, unknown> | undefined;
    const app = module[name] ?? def?.[name] ?? (exportName === undefined && isApp(def) ? def : undefined);
    if (!isApp(app)) {
      throw new CliError(`${spec} has no export "${name}" that is a Celeriac app (export const ${name} = createApp(...))`, EXIT.USAGE);
    }
    for (const extra of (flags.include ?? '').split(',').map((s) => s.trim()).filter(Boolean)) await importModule(extra);
    return { app, module };
  }
  const broker = flags.broker ?? process.env.CELERIAC_BROKER ?? process.env.AMQP_URL;
  if (!broker) throw new CliError('no app: pass -A ./module.js, --broker amqp://..., or set AMQP_URL', EXIT.USAGE);
  const backend = flags.resultBackend ?? flags.backend ?? process.env.CELERIAC_BACKEND ?? 'rpc://';
  return { app: createApp({ broker, backend, amqp: { connectTimeoutMs: 5000 }, redisBroker: { connectTimeoutMs: 5000 } }), module: null };
}

/** Connects, turning "broker unreachable" into one clear line, at once when the port is closed. */
export async function connectOrExplain(app: CeleriacApp): Promise<void> {
  await probeBroker(app.options.broker, app.broker.displayUrl);
  try {
    await app.connect();
  } catch (err) {
    throw new CliError(`cannot reach the broker at ${app.broker.displayUrl}: ${(err as Error).message.replace(/^cannot connect to the broker at \S+: /, '')}`, EXIT.UNAVAILABLE);
  }
}
