import { describe, expect, it } from 'vitest';
import { createApp, currentTask, RemoteTaskError, chain, group, chord, MemoryBroker } from '../../src/index.js';

function memoryApp() {
  return createApp({ broker: 'memory://', backend: 'memory://', logger: silent });
}
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('app on the memory broker', () => {
  it('runs a task and returns its result', async () => {
    const app = memoryApp();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const worker = app.worker({ concurrency: 2 });
    await worker.start();
    const r = await add.delay(2, 3);
    expect(await r.get({ timeout: 2000 })).toBe(5);
    await worker.stop();
    await app.close();
  });

  it('rejects with RemoteTaskError carrying Python exception fields', async () => {
    const app = memoryApp();
    const fail = app.task('tasks.fail', (msg: string) => {
      throw new TypeError(msg);
    });
    const worker = app.worker();
    await worker.start();
    const r = await fail.delay('boom');
    const err = await r.get({ timeout: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteTaskError);
    expect((err as RemoteTaskError).excType).toBe('TypeError');
    expect((err as RemoteTaskError).excModule).toBe('builtins');
    expect((err as RemoteTaskError).excArgs).toEqual(['boom']);
    expect(await r.state()).toBe('FAILURE');
    await worker.stop();
    await app.close();
  });

  it('maps keyword arguments onto declared params and exposes the context', async () => {
    const app = memoryApp();
    app.task('tasks.kw', function (x: number, y: number) {
      return { sum: x + y, kwargs: this.kwargs, id: this.id, viaCurrent: currentTask().id };
    }, { params: ['x', 'y'] });
    const worker = app.worker();
    await worker.start();
    const r = await app.sendTask<{ sum: number; id: string; viaCurrent: string }>('tasks.kw', [], { x: 1, y: 2 });
    const out = await r.get({ timeout: 2000 });
    expect(out.sum).toBe(3);
    expect(out.id).toBe(r.id);
    expect(out.viaCurrent).toBe(r.id);
    await worker.stop();
    await app.close();
  });

  it('retries with countdown and succeeds', async () => {
    const app = memoryApp();
    let calls = 0;
    const flaky = app.task('tasks.flaky', function () {
      calls++;
      if (this.retries < 2) this.retry({ countdown: 0.05 });
      return this.retries;
    });
    const worker = app.worker();
    await worker.start();
    expect(await (await flaky.delay()).get({ timeout: 3000 })).toBe(2);
    expect(calls).toBe(3);
    await worker.stop();
    await app.close();
  });

  it('runs chain, group and chord', async () => {
    const app = memoryApp();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const mul = app.task('tasks.mul', (x: number, y: number) => x * y);
    const tsum = app.task('tasks.tsum', (xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const worker = app.worker();
    await worker.start();
    const c = await chain(add.s(1, 2), mul.s(3), mul.s(4)).applyAsync();
    expect(await c.get({ timeout: 3000 })).toBe(36);
    const g = await app.applyGroup(group(add.s(1, 1), add.s(2, 2)).toDict());
    expect(await g.get({ timeout: 3000 })).toEqual([2, 4]);
    const ch = await chord([add.s(1, 1), add.s(2, 2), add.s(3, 3)], tsum.s()).applyAsync();
    expect(await ch.get({ timeout: 3000 })).toBe(12);
    await worker.stop();
    await app.close();
  });

  it('runs map, starmap and chunks (Celery built-ins) on the worker', async () => {
    const app = memoryApp();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const tsum = app.task('tasks.tsum', (xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const worker = app.worker();
    await worker.start();
    expect(await (await tsum.map([[1, 2], [3]]).applyAsync()).get({ timeout: 2000 })).toEqual([3, 3]);
    expect(await (await add.starmap([[1, 2], [3, 4]]).applyAsync()).get({ timeout: 2000 })).toEqual([3, 7]);
    const g = await app.applyGroup(add.chunks([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]], 2).toDict());
    expect(g.results).toHaveLength(3);
    expect(await g.get({ timeout: 2000 })).toEqual([[2, 4], [6, 8], [10]]);
    await worker.stop();
    await app.close();
  });

  it('rate-limits one task per worker without holding up others, and rate_limit changes it remotely', async () => {
    const app = memoryApp();
    const started: number[] = [];
    const limited = app.task('tasks.limited', () => started.push(Date.now()), { rateLimit: '5/s' });
    const free = app.task('tasks.free', () => Date.now());
    expect(() => app.task('tasks.bad', () => 1, { rateLimit: 'lots' })).toThrow(/rate limit/);
    const worker = app.worker({ concurrency: 4, hostname: 'rl@test' });
    await worker.start();
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => limited.delay()));
    const freeAt = await (await free.delay()).get({ timeout: 2000 });
    expect(freeAt - t0).toBeLessThan(500); // not stuck behind the limited ones (which need ≥ 600 ms)
    await Promise.all(results.map((r) => r.get({ timeout: 5000 })));
    expect(started[7]! - t0).toBeGreaterThanOrEqual(550); // 5 at once, then 3 more 200 ms apart
    const replies = await app.control.broadcast('rate_limit', { task_name: 'tasks.limited', rate_limit: '0' }, { destination: ['rl@test'] });
    expect(replies).toEqual([{ 'rl@test': { ok: 'rate limit disabled successfully' } }]);
    const t1 = Date.now();
    await Promise.all((await Promise.all(Array.from({ length: 20 }, () => limited.delay()))).map((r) => r.get({ timeout: 2000 })));
    expect(Date.now() - t1).toBeLessThan(1500); // 20 tasks at 5/s would need ≥ 3 s
    await worker.stop();
    await app.close();
  });

  it('dead-letters bad input and keeps running', async () => {
    const broker = new MemoryBroker();
    const app = createApp({ broker, backend: 'memory://', logger: silent });
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const worker = app.worker({ queues: ['bad_q'] });
    await worker.start();
    const props = { contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 'tasks.add', id: 'x1' } };
    await broker.publish({ exchange: '', routingKey: 'bad_q' }, { body: Buffer.from('[[1,2],{}]'), properties: props });
    await broker.publish({ exchange: '', routingKey: 'bad_q' }, { body: Buffer.from('\x80\x04pickle'), properties: { ...props, contentType: 'application/x-python-serialize' } });
    await broker.publish({ exchange: '', routingKey: 'bad_q' }, { body: Buffer.from('[[1,2],{},null]'), properties: { ...props, headers: { task: 'nope', id: 'x2' } } });
    const r = await add.applyAsync([2, 2], { queue: 'bad_q' });
    expect(await r.get({ timeout: 2000 })).toBe(4);
    await new Promise((res) => setTimeout(res, 50));
    expect((await broker.inspectQueue('bad_q.dlq'))?.messageCount).toBe(3);
    await worker.stop();
    await app.close();
  });
});

describe('concurrent first sends', () => {
  it('never publishes before the queue exists (nothing dropped when many sends race the declaration)', async () => {
    const broker = new MemoryBroker();
    const app = createApp({ broker, backend: null, defaultQueue: 'race_q', logger: silent });
    await Promise.all(Array.from({ length: 500 }, (_, i) => app.sendTask('t', [i])));
    expect((await broker.inspectQueue('race_q'))?.messageCount).toBe(500);
    await app.close();
  });
});
