// Celeriac implementations of the proto.* tasks that interop/python/celeriac_interop_tasks.py
// defines in Python. Registered on any app, so the interop tests and proto-app.mjs share them.
import { Redis } from 'ioredis';

/** @param {import('@celeriac/core').CeleriacApp} app */
export function registerProtoTasks(app, { redisUrl = process.env.INTEROP_REDIS ?? 'redis://127.0.0.1:6379/9' } = {}) {
  let redis;
  const db = () => (redis ??= new Redis(redisUrl, { lazyConnect: true }));
  app.task('proto.add', (x, y) => x + y, { params: ['x', 'y'] });
  app.task('proto.mul', (x, y) => x * y, { params: ['x', 'y'] });
  app.task('proto.tsum', (numbers) => numbers.reduce((a, b) => a + b, 0), { params: ['numbers'] });
  app.task('proto.echo', function () {
    return { args: this.args, kwargs: this.kwargs };
  });
  app.task('proto.fail', (message = 'boom') => {
    throw Object.assign(new Error(message), { excType: 'ValueError' }); // Python sees builtins.ValueError
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
      hostname: this.hostname, delivery_info: this.deliveryInfo, headers: this.headers, worker: 'celeriac',
    };
  });
  app.task('proto.progress', async function () {
    await this.updateState('PROGRESS', { done: 1, total: 2 });
    await new Promise((r) => setTimeout(r, 1000)); // as long as the Python task sleeps, so pollers see PROGRESS
    return 'ok';
  });
  app.task('proto.errback', async (taskId) => {
    await db().set(`celeriac-it-errback-${taskId}`, taskId, 'EX', 3600);
    return taskId;
  }, { params: ['task_id'], ignoreResult: true });
  app.task('proto.count', async (key) => {
    const n = await db().incr(key);
    await db().expire(key, 3600);
    return n;
  }, { params: ['key'] });
  return { close: async () => redis?.disconnect() };
}
