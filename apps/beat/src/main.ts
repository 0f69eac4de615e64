// npm start: the beat and a worker in one process. Prints what the beat sends and what the
// worker runs; Ctrl-C stops both (DEMO_SECONDS=n stops after n seconds).
import { app } from './app.js';
import { beat } from './schedule.js';

async function main(): Promise<void> {
  const worker = app.worker({ queues: [app.options.defaultQueue, 'reports'], concurrency: 2 });
  worker.events.on('task-succeeded', (request, result) => console.log(`  ran  ${request.name} -> ${JSON.stringify(result)}`));
  await worker.start();

  beat.events.on('active', () => console.log(`beat "${beat.name}" is the leader; entries:`));
  beat.events.on('active', () => {
    setTimeout(() => {
      for (const e of beat.entries()) console.log(`  ${e.name.padEnd(20)} ${e.schedule.padEnd(38)} next ${e.nextRunAt?.toISOString() ?? '-'}`);
    }, 50);
  });
  beat.events.on('standby', (reason) => console.log(`beat "${beat.name}" is standing by (${reason})`));
  beat.events.on('sent', (run) => console.log(`sent ${run.entry} (${run.task}) scheduled ${run.scheduledAt.toISOString()}${run.missed ? ' [catch-up]' : ''}`));
  await beat.start();
  console.log(`celeriac beat example on ${app.broker.displayUrl}; Ctrl-C to stop`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    const seconds = Number(process.env.DEMO_SECONDS);
    if (seconds > 0) setTimeout(resolve, seconds * 1000).unref();
  });
  await beat.stop();
  await worker.stop();
  await app.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
