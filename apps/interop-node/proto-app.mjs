// The Node side of the interop pair, for the CLI: `celeriac worker -A ./proto-app.mjs`.
// Configured from the environment like interop/python/celeriac_interop_tasks.py:
//   INTEROP_BROKER (amqp://guest:guest@127.0.0.1:5672//), INTEROP_BACKEND (rpc://),
//   INTEROP_QUEUE (celeriac_it_tasks), INTEROP_NS (celeriac_it: control exchange NS.pidbox, events NS_ev),
//   INTEROP_BROKER_KEYPREFIX (a redis:// broker's global key prefix, kombu's global_keyprefix)
import { createApp } from '@celeriac/core';
import { registerProtoTasks } from './proto-tasks.mjs';

const env = process.env;
const ns = env.INTEROP_NS ?? 'celeriac_it';

export const app = createApp({
  broker: env.INTEROP_BROKER ?? 'amqp://guest:guest@127.0.0.1:5672//',
  backend: env.INTEROP_BACKEND ?? 'rpc://',
  defaultQueue: env.INTEROP_QUEUE ?? 'celeriac_it_tasks',
  controlExchange: ns,
  eventExchange: `${ns}_ev`,
  ...(env.INTEROP_BROKER_KEYPREFIX ? { redisBroker: { globalKeyprefix: env.INTEROP_BROKER_KEYPREFIX } } : {}),
});

registerProtoTasks(app);
