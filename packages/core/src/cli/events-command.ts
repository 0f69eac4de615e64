/** `celeriac events`: a live, readable tail of Celery events (Python and Node workers). `--json` prints raw events. */
import { connectOrExplain, loadApp, type AppFlags } from './load-app.js';
import { onShutdownSignals } from './shutdown-signals.js';

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
  const stopped = onShutdownSignals(app.logger, 'closing the event receiver', async () => {
    await receiver.stop();
    await app.close();
  });
  await receiver.start();
  process.stderr.write(`-> events from ${app.broker.displayUrl} (${app.options.eventExchange}); Ctrl-C to stop\n`);
  await stopped.done;
}
