// The schedule. `celeriac beat -A dist/schedule.js` runs the exported `beat` (and closes the
// exported `app` on Ctrl-C); `npm start` runs it next to a worker (see main.ts).
//
// Run several beats against one RabbitMQ for high availability: they elect one leader on the
// queue `celeriac.beat.lock.example`; give them a shared store (RedisStore) so a new leader
// knows what the old one sent. Alone, the default file store (./celeriac-beat-state.example.json)
// keeps the last-run times across restarts.
import { at, createBeat, crontab, every } from '@celeriac/beat';
import { app } from './app.js';

export { app };

export const beat = createBeat(app, {
  name: 'example',
  timezone: 'Europe/Paris', // crontabs without their own tz
  schedule: {
    'heartbeat-every-2s': { task: 'tasks.heartbeat', schedule: every(2_000), args: ['example-beat'], options: { expires: 10 } },
    'add-every-10s': { task: 'tasks.add', schedule: every(10_000), args: [1, 2] },
    'nightly-report': { task: 'reports.nightly', schedule: crontab('0 3 * * *', { tz: 'Europe/Paris' }), options: { queue: 'reports' } },
    'weekday-digest': {
      task: 'reports.weekday_digest',
      schedule: crontab({ minute: 30, hour: 9, dayOfWeek: 'mon-fri' }),
      kwargs: { audience: 'team' },
      catchUp: 'skip', // a digest missed during downtime is not worth sending late
    },
    'launch-announcement': { task: 'tasks.heartbeat', schedule: at('2030-01-01T09:00:00+01:00'), args: ['launch'] },
  },
});
