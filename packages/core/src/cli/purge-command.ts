/**
 * `celeriac purge [-Q q1,q2] [-X q3] [-f]`: deletes every waiting message in task queues, after a
 * confirmation read from the terminal or from stdin (`echo y | celeriac purge` works, as with
 * Celery); `-f` skips it.
 */
import { createInterface } from 'node:readline';
import type { CeleriacApp } from '../app.js';
import { CliError, EXIT } from './cli-error.js';
import { connectOrExplain, loadApp, type AppFlags } from './load-app.js';

export interface PurgeFlags extends AppFlags {
  queues?: string;
  excludeQueues?: string;
  force?: boolean;
}

/** Purges the queues that exist; returns how many messages were deleted. */
export async function purgeQueues(app: CeleriacApp, queues: readonly string[]): Promise<number> {
  let total = 0;
  for (const q of queues) {
    if ((await app.broker.inspectQueue(q)) === null) continue;
    total += await app.broker.purgeQueue(q);
  }
  return total;
}

/** One line from the terminal or a pipe; null at end of input (nothing piped, or Ctrl-D). */
function readAnswer(question: string): Promise<string | null> {
  process.stdout.write(question);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      if (!process.stdin.isTTY) process.stdout.write('\n'); // a piped answer is not echoed
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(null);
    });
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function purgeCommand(flags: PurgeFlags): Promise<void> {
  const { app } = await loadApp(flags);
  const split = (s: string | undefined) => (s ?? '').split(',').map((q) => q.trim()).filter(Boolean);
  const excluded = new Set(split(flags.excludeQueues));
  const queues = (flags.queues ? split(flags.queues) : [app.options.defaultQueue]).filter((q) => !excluded.has(q));
  try {
    if (queues.length === 0) {
      process.stdout.write('No queue to purge (every queue was excluded with -X).\n');
      return;
    }
    await connectOrExplain(app);
    if (!flags.force) {
      const answer = await readAnswer(
        `WARNING: This will remove all tasks from ${plural(queues.length, 'queue')}: ${queues.join(', ')}.\n` +
        '         There is no undo for this operation!\n\n(to skip this prompt use the -f option)\n' +
        'Are you sure you want to delete all tasks? [y/N]: ',
      );
      if (answer === null) throw new CliError('no answer on stdin: pass -f to purge without confirmation', EXIT.USAGE);
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write('Aborted!\n');
        process.exitCode = EXIT.FAILURE;
        return;
      }
    }
    const total = await purgeQueues(app, queues);
    process.stdout.write(total > 0
      ? `Purged ${plural(total, 'message')} from ${queues.length} known task ${queues.length === 1 ? 'queue' : 'queues'}.\n`
      : `No messages purged from ${plural(queues.length, 'queue')}.\n`);
  } finally {
    await app.close();
  }
}
