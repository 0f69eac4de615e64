/** Finds the app for a CLI command: the named export `app` of the `-A` module, or one built from --broker/--backend. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp, type CeleriacApp } from '../app.js';
import { CliError, EXIT } from './cli-error.js';

export interface AppFlags {
  app?: string;
  broker?: string;
  backend?: string;
}

export async function importModule(path: string): Promise<Record<string, unknown>> {
  const full = resolve(process.cwd(), path);
  if (!existsSync(full)) throw new CliError(`module not found: ${path} (resolved to ${full})`, EXIT.USAGE);
  try {
    return (await import(pathToFileURL(full).href)) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`could not load ${path}: ${(err as Error).message}`, EXIT.USAGE);
  }
}

export async function loadApp(flags: AppFlags): Promise<{ app: CeleriacApp; module: Record<string, unknown> | null }> {
  if (flags.app) {
    const module = await importModule(flags.app);
    const app = module.app ?? (module.default as Record<string, unknown> | undefined)?.app;
    if (!app || typeof (app as CeleriacApp).task !== 'function') {
      throw new CliError(`${flags.app} has no named export "app" (export const app = createApp(...))`, EXIT.USAGE);
    }
    return { app: app as CeleriacApp, module };
  }
  const broker = flags.broker ?? process.env.CELERIAC_BROKER ?? process.env.AMQP_URL;
  if (!broker) throw new CliError('no app: pass -A ./module.js, --broker amqp://..., or set AMQP_URL', EXIT.USAGE);
  const backend = flags.backend ?? process.env.CELERIAC_BACKEND ?? 'rpc://';
  return { app: createApp({ broker, backend, amqp: { connectTimeoutMs: 5000 } }), module: null };
}

/** Connects, turning "broker unreachable" into a clear one-line error. */
export async function connectOrExplain(app: CeleriacApp): Promise<void> {
  try {
    await app.connect();
  } catch (err) {
    throw new CliError(`cannot reach the broker at ${app.broker.displayUrl}: ${(err as Error).message.replace(/^cannot connect to the broker at \S+: /, '')}`, EXIT.UNAVAILABLE);
  }
}
