/** The worker start-up banner, laid out like Celery's. */
import { release, type } from 'node:os';
import type { Worker } from '../worker/worker.js';
import { SW_VERSION } from '../worker/worker-services.js';

export function banner(worker: Worker, appPath: string | undefined): string {
  const { app, options } = worker;
  const backend = app.backend.kind === 'redis' ? (app.backend as { displayUrl?: string }).displayUrl ?? 'redis://' : `${app.backend.kind}://`;
  const art = ['--- ***** ----- ', '-- ******* ---- ', '- *** --- * --- ', '- ** ---------- ', '- ** ---------- ', '- ** ---------- ', '- ** ---------- ', '- ** ---------- ', '- *** --- * --- ', '-- ******* ---- ', '--- ***** ----- '];
  const info = [
    '',
    `${type()}-${release()} ${new Date().toISOString()}`,
    '',
    '[config]',
    `.> app:         ${appPath ?? '(command line)'}`,
    `.> transport:   ${app.broker.displayUrl}`,
    `.> results:     ${backend}`,
    `.> concurrency: ${options.concurrency} (async, prefetch ${options.prefetch})`,
    `.> task events: ${options.sendEvents ? 'ON' : 'OFF (enable -E to monitor tasks in this worker)'}`,
    '',
    '',
  ];
  const lines = [` -------------- ${worker.hostname} v${SW_VERSION} (celeriac, Node ${process.version})`];
  art.forEach((a, i) => lines.push(a + (info[i] ?? '')));
  lines.push(' -------------- [queues]');
  for (const q of options.queues) lines.push(`                .> ${q.padEnd(16)} exchange=${q}(direct) key=${q}`);
  lines.push('', '[tasks]');
  for (const name of [...app.tasks.keys()].sort()) lines.push(`  . ${name}`);
  return lines.join('\n') + '\n';
}
