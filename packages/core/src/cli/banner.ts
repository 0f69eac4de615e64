/** The worker start-up banner, laid out like Celery's. */
import { release, type } from 'node:os';
import type { Worker } from '../worker/worker.js';
import { SW_VERSION } from '../worker/worker-services.js';

/** `4 (processes, prefetch 16)`, `1-8 (autoscale, threads, prefetch 32)`, plus recycling and time limits when set. */
function concurrency(worker: Worker): string {
  const o = worker.options;
  const size = o.autoscale ? `${Math.max(1, o.autoscale[1])}-${o.autoscale[0]} (autoscale, ` : `${o.concurrency} (`;
  const extra = [
    o.maxTasksPerChild !== null ? `max ${o.maxTasksPerChild} tasks per child` : null,
    o.maxMemoryPerChild !== null ? `max ${o.maxMemoryPerChild} KiB per child` : null,
    o.timeLimit !== null || o.softTimeLimit !== null ? `time limits ${o.softTimeLimit ?? '-'}/${o.timeLimit ?? '-'} s` : null,
  ].filter(Boolean);
  return `${size}${o.pool}, prefetch ${o.prefetch}${extra.length > 0 ? `, ${extra.join(', ')}` : ''})`;
}

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
    `.> concurrency: ${concurrency(worker)}`,
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
