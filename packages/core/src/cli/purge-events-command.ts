import { createInterface } from 'node:readline/promises';
import { CliError, EXIT } from './cli-error.js';
import { connectOrExplain, loadApp, type AppFlags } from './load-app.js';

/** `celeriac purge -Q q1,q2`: asks before deleting every waiting message unless -f. */
export async function purgeCommand(flags: AppFlags & { queues?: string; force?: boolean }): Promise<void> {
  const { app } = await loadApp(flags);
  const queues = (flags.queues ?? app.options.defaultQueue).split(',').map((q) => q.trim()).filter(Boolean);
  try {
    await connectOrExplain(app);
    if (!flags.force) {
      if (!process.stdin.isTTY) throw new CliError('refusing to purge without confirmation: run in a terminal or pass -f', EXIT.USAGE);
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`Delete all waiting tasks in ${queues.join(', ')}? This cannot be undone. [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write('Aborted.\n');
        return;
      }
    }
    let total = 0;
    for (const q of queues) {
      if ((await app.broker.inspectQueue(q)) === null) {
        process.stdout.write(`${q}: no such queue\n`);
        continue;
      }
      total += await app.broker.purgeQueue(q);
    }
    process.stdout.write(`Purged ${total} message${total === 1 ? '' : 's'} from ${queues.length} known task queue${queues.length === 1 ? '' : 's'}.\n`);
  } finally {
    await app.close();
  }
}

/** `celeriac events`: a live, readable tail of Celery events (Python and Node workers). `--json` prints raw events. */
export async function eventsCommand(flags: AppFlags & { json?: boolean }): Promise<void> {
  const { app } = await loadApp(flags);
  await connectOrExplain(app);
  const receiver = app.eventReceiver();
  receiver.on('event', (e) => {
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    const time = new Date(e.timestamp * 1000).toISOString().slice(11, 23);
    const detail = e.type.startsWith('worker-')
      ? `active=${String(e.active)} processed=${String(e.processed)}`
      : [e.name, e.uuid, e.result !== undefined ? `result=${String(e.result)}` : '', e.exception ? `exception=${String(e.exception)}` : '', e.runtime !== undefined ? `runtime=${Number(e.runtime).toFixed(4)}s` : '']
        .filter(Boolean).join(' ');
    process.stdout.write(`${time} ${e.hostname.padEnd(28)} ${e.type.padEnd(16)} ${detail}\n`);
  });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.start();
  process.stderr.write(`-> events from ${app.broker.displayUrl} (${app.options.eventExchange}); Ctrl-C to stop\n`);
  await stopped;
  await receiver.stop();
  await app.close();
}
