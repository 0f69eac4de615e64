// The Node side of the interop pair: Celeriac implementations of the proto.* tasks that
// interop/python/celeriac_interop_tasks.py defines in Python, so Python clients can call a
// Celeriac worker and Celeriac clients can call a Python one with the same names.
// Configured from the environment, like the Python module:
//   INTEROP_BROKER (amqp://guest:guest@127.0.0.1:5672//), INTEROP_BACKEND (rpc://),
//   INTEROP_QUEUE (celeriac_it_tasks), INTEROP_NS (celeriac_it: control exchange NS.pidbox, events NS_ev)
// Run: celeriac worker -A ./proto-app.mjs -Q "$INTEROP_QUEUE" -n proto_w1@%h
import { createApp } from '@celeriac/core';

const env = process.env;
const ns = env.INTEROP_NS ?? 'celeriac_it';

export const app = createApp({
  broker: env.INTEROP_BROKER ?? 'amqp://guest:guest@127.0.0.1:5672//',
  backend: env.INTEROP_BACKEND ?? 'rpc://',
  defaultQueue: env.INTEROP_QUEUE ?? 'celeriac_it_tasks',
  controlExchange: ns,
  eventExchange: `${ns}_ev`,
});

app.task('proto.add', (x, y) => x + y, { params: ['x', 'y'] });
app.task('proto.mul', (x, y) => x * y, { params: ['x', 'y'] });
app.task('proto.tsum', (numbers) => numbers.reduce((a, b) => a + b, 0), { params: ['numbers'] });
app.task('proto.echo', function () {
  return { args: this.args, kwargs: this.kwargs };
});
app.task('proto.fail', (message = 'boom') => {
  const err = new Error(message);
  err.excType = 'ValueError'; // Python callers get builtins.ValueError
  throw err;
}, { params: ['message'] });
app.task('proto.sleep', async function (seconds = 1) {
  await new Promise((resolve, reject) => {
    const t = setTimeout(resolve, seconds * 1000);
    this.signal.addEventListener('abort', () => { clearTimeout(t); reject(this.signal.reason); }, { once: true });
  });
  return seconds;
}, { params: ['seconds'], trackStarted: true });
app.task('proto.retry_once', function (value) {
  if (this.retries === 0) this.retry({ countdown: 1, exc: Object.assign(new Error('try again'), { excType: 'KeyError' }) });
  return { value, retries: this.retries };
}, { params: ['value'], maxRetries: 3 });
app.task('proto.request_info', function () {
  return {
    id: this.id, root_id: this.rootId, parent_id: this.parentId, group: this.group, group_index: this.groupIndex,
    retries: this.retries, eta: this.eta?.toISOString() ?? null, expires: this.expires?.toISOString() ?? null,
    hostname: this.hostname, delivery_info: this.deliveryInfo, headers: this.headers,
  };
});
app.task('proto.progress', async function () {
  await this.updateState('PROGRESS', { done: 1, total: 2 });
  await new Promise((r) => setTimeout(r, 300));
  return 'ok';
});
