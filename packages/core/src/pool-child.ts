/**
 * Entry point of a pool child (`-P threads` / `-P processes`): waits for the worker's `init`
 * message, imports the tasks module, takes its app, and serves tasks with the runner of the
 * `@celeriac/core` copy that app was made with (CommonJS or ESM, whichever the module used).
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import type { ChildInit, FromChild, ToChild } from './worker/pool/pool-wire.js';
import type { ChildPort } from './worker/pool/child-runtime.js';
import { POOL_CHILD } from './worker/pool/pool-child-symbol.js';

function makePort(): ChildPort {
  if (!isMainThread && parentPort) {
    const p = parentPort;
    return { post: (m) => p.postMessage(m), onMessage: (fn) => p.on('message', fn), exit: (code) => process.exit(code) };
  }
  if (!process.send) throw new Error('pool-child: started neither as a worker thread nor with an IPC channel');
  const send = process.send.bind(process);
  // the worker is gone: nothing left to do here
  process.on('disconnect', () => process.exit(0));
  return { post: (m: FromChild) => void send(m), onMessage: (fn) => process.on('message', (m) => fn(m as ToChild)), exit: (code) => process.exit(code) };
}

function moduleUrl(spec: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec)) return spec;
  return pathToFileURL(isAbsolute(spec) ? spec : resolve(process.cwd(), spec)).href;
}

async function load(port: ChildPort, init: ChildInit): Promise<void> {
  try {
    const mod = (await import(moduleUrl(init.module))) as Record<string, unknown>;
    const def = mod.default as Record<string | symbol, unknown> | undefined;
    // as the CLI's -A: the named export, or that name on the default export, or the default export itself
    const app = (mod[init.exportName] ?? def?.[init.exportName] ?? (init.exportName === 'app' && def?.[POOL_CHILD] ? def : undefined)) as Record<symbol, unknown> | undefined;
    const serve = app?.[POOL_CHILD];
    if (typeof serve !== 'function') throw new Error(`${init.module} has no export "${init.exportName}" made by createApp() of @celeriac/core`);
    (serve as (port: ChildPort, kind: ChildInit['kind']) => void)(port, init.kind);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.post({ type: 'load-failed', error: { name: e.name, message: e.message, stack: e.stack ?? null, excType: e.name, excModule: 'celeriac', args: [e.message] } });
    port.exit(1);
  }
}

const port = makePort();
let started = false;
port.onMessage((msg) => {
  if (msg.type === 'exit' && !started) port.exit(0);
  if (msg.type !== 'init' || started) return;
  started = true;
  void load(port, msg.init);
});
