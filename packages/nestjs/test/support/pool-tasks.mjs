// What each pool child of the Nest worker imports (`worker.tasksModule`): a plain app that registers
// the same task names as the @Task methods, with work that needs no Nest container.
import { threadId } from 'node:worker_threads';
import { createApp } from '@celeriac/core';

export const app = createApp({ broker: 'memory://', backend: null });

app.task('nest.rabbit.double', (n) => ({ pod: `thread ${threadId}`, value: Number(n) * 2 }));
app.task('nest.rabbit.slow', (ms, value) => {
  const end = Date.now() + Number(ms);
  while (Date.now() < end); // blocks its own thread, not the worker's event loop
  return `${value} by thread ${threadId}`;
});
