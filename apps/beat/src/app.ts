// The app and its tasks. With AMQP_URL set, the tasks can run in any worker (Node or Python)
// that registers the same names; without it everything runs in this process.
import { createApp } from '@celeriac/core';

export const app = createApp({
  broker: process.env.AMQP_URL ?? 'memory://',
  backend: null, // beat never reads results
});

export const add = app.task('tasks.add', (x: number, y: number) => x + y);

export const nightlyReport = app.task('reports.nightly', () => ({ generatedAt: new Date().toISOString() }), { queue: 'reports' });

export const weekdayDigest = app.task('reports.weekday_digest', (audience: string) => `digest for ${audience}`);

export const heartbeat = app.task('tasks.heartbeat', (source: string) => `${source} is alive`);
