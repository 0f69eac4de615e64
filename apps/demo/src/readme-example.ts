// Kept identical to the example in the root README (a test checks it and runs it).
import { createApp } from '@celeriac/core';

export const app = createApp({ broker: process.env.AMQP_URL ?? 'memory://', backend: 'memory://' });

// a typed task; `params` lets Python callers pass x and y as keyword arguments
export const add = app.task('tasks.add', (x: number, y: number) => x + y, { params: ['x', 'y'] });

// task code reaches its context through `this` (or currentTask() from anywhere inside it)
export const resize = app.task('images.resize', async function (url: string) {
  if (this.signal.aborted) return null;                  // soft time limit, revoke --terminate
  if (this.retries < 3 && Math.random() < 0.1) this.retry({ countdown: 5 });
  return `${url}?w=200`;
}, { softTimeLimit: 30 });

const worker = app.worker({ queues: ['celery'], concurrency: 8 });
await worker.start();

const r = await add.delay(2, 3);                          // resolves once the broker has the message
console.log(await r.get({ timeout: 5_000 }));             // 5; a failure rejects with RemoteTaskError
export const mul = app.signature<[number, number], number>('tasks.mul'); // a task that runs in Python
await worker.stop();
await app.close();                                        // connections closed: the process exits
