// The demo's tasks. A worker started with `celeriac worker -A apps/demo/dist/tasks.js` serves them too.
import { createApp } from '@celeriac/core';

export const app = createApp({
  broker: process.env.AMQP_URL ?? 'memory://',
  backend: process.env.AMQP_URL ? (process.env.CELERIAC_BACKEND ?? 'rpc://') : 'memory://',
  defaultQueue: process.env.DEMO_QUEUE ?? 'celeriac_demo',
});

export const add = app.task('demo.add', (x: number, y: number) => x + y, { params: ['x', 'y'] });

export const wordCount = app.task('demo.word_count', (text: string) => text.split(/\s+/).filter(Boolean).length);

export const slowSquare = app.task('demo.slow_square', async function (n: number) {
  await new Promise((r) => setTimeout(r, 50));
  return { n, square: n * n, worker: this.hostname };
});

export const flaky = app.task('demo.flaky', function () {
  if (this.retries < 2) this.retry({ countdown: 0.1, exc: new Error(`attempt ${this.retries + 1} failed`) });
  return `succeeded after ${this.retries} retries`;
});

export const explode = app.task('demo.explode', (why: string) => {
  throw new RangeError(why);
});
