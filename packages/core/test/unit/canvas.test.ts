/**
 * Canvas and result API on the memory broker and backend (Node only; the same compositions
 * across Python and Node workers are in test/interop/canvas-*.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  chain, chord, createApp, group, GroupResult, MemoryBroker, Reject, RemoteTaskError, type CeleriacApp, type Worker,
} from '../../src/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let running: { app: CeleriacApp; worker: Worker } | null = null;

afterEach(async () => {
  await running?.worker.stop();
  await running?.app.close();
  running = null;
});

async function setup(options: { resultExtended?: boolean; broker?: MemoryBroker } = {}) {
  const app = createApp({ broker: options.broker ?? 'memory://', backend: 'memory://', logger: silent, ...options });
  const seen: { name: string; args: unknown[]; kwargs: Record<string, unknown>; id: string }[] = [];
  const add = app.task('add', function (x: number, y: number) {
    seen.push({ name: 'add', args: [x, y], kwargs: this.kwargs, id: this.id });
    return x + y;
  });
  const mul = app.task('mul', (x: number, y: number) => x * y);
  const tsum = app.task('tsum', (xs: unknown[]) => (xs.flat(Infinity) as number[]).reduce((a, b) => a + b, 0));
  const echo = app.task('echo', function (...args: unknown[]) {
    return { args, kwargs: this.kwargs };
  });
  const fail = app.task('fail', (message: string) => {
    throw new RangeError(message);
  });
  const errbacks: string[] = [];
  const onError = app.task('on_error', (taskId: string) => {
    errbacks.push(taskId);
  });
  const worker = app.worker({ concurrency: 4 });
  await worker.start();
  running = { app, worker };
  return { app, add, mul, tsum, echo, fail, onError, errbacks, seen, worker };
}

const T = { timeout: 3000 };

describe('kwargs reach the task the same way through every send path', () => {
  it('sendTask, handle.delay / applyAsync with defaults, signature.set and call options', async () => {
    const { app, echo } = await setup();
    const handle = app.signature('echo', { kwargs: { a: 1 } });
    const results = await Promise.all([
      handle.delay(),
      handle.applyAsync([]),
      handle.applyAsync([], { kwargs: { b: 2 } }),
      echo.s().set({ kwargs: { a: 1 } }).delay(),
      echo.signature([], { kwargs: { a: 1 } }).applyAsync([], { kwargs: { b: 2 } }),
      app.sendTask('echo', [], { a: 1 }),
      app.sendTask('echo', [], { a: 1 }, { kwargs: { b: 2 } }),
    ]);
    const got = await Promise.all(results.map((r) => r.get(T)));
    expect(got.map((g) => (g as { kwargs: unknown }).kwargs)).toEqual([{ a: 1 }, { a: 1 }, { a: 1, b: 2 }, { a: 1 }, { a: 1, b: 2 }, { a: 1 }, { a: 1, b: 2 }]);
    expect(echo.s().set({ kwargs: { a: 1 } }).toDict()).toMatchObject({ kwargs: { a: 1 }, options: {} });
  });
});

describe('compositions', () => {
  it('puts the rest of a chain after a chord into the chord body: 68, not one run per member', async () => {
    const { add, mul, tsum, seen } = await setup();
    const r = await chain(add.s(1, 1), chord([add.s(10), add.s(20)], tsum.s()), mul.s(2)).applyAsync();
    expect(await r.get(T)).toBe(68);
    expect(seen).toHaveLength(3);
    // the chain's result is its last step: the id frozen before anything was sent
    expect(await r.state()).toBe('SUCCESS');
  });

  it('resolves group(...).applyAsync() and chunks(...).applyAsync() as GroupResults', async () => {
    const { add } = await setup();
    const g = await group(add.s(1, 1), add.s(2, 2)).applyAsync();
    expect(g).toBeInstanceOf(GroupResult);
    expect(await g.get(T)).toEqual([2, 4]);
    const c = await add.chunks([[1, 1], [2, 2], [3, 3]], 2).applyAsync();
    expect(c.results).toHaveLength(2);
    expect(await c.get(T)).toEqual([[2, 4], [6]]);
  });

  it('runs nested groups of chains, groups in groups (spliced, as Celery), chords of chords, chords in groups', async () => {
    const { add, mul, tsum } = await setup();
    const groupOfChains = await group(chain(add.s(1, 1), mul.s(3)), chain(add.s(2, 2), mul.s(10), add.s(1))).applyAsync();
    expect(await groupOfChains.get(T)).toEqual([6, 41]);
    const nested = await group(group(add.s(1, 0), add.s(2, 0)), add.s(3, 0)).applyAsync();
    expect(await nested.get(T)).toEqual([1, 2, 3]);
    const chordOfChords = await chord([chord([add.s(1, 1), add.s(2, 2)], tsum.s()), add.s(5, 5)], tsum.s()).applyAsync();
    expect(await chordOfChords.get(T)).toBe(16);
    const chordsInGroup = await group(chord([add.s(1, 1)], tsum.s()), chain(add.s(1, 2), chord([add.s(1), add.s(2)], tsum.s()))).applyAsync();
    expect(await chordsInGroup.get(T)).toEqual([2, 9]);
    const endsInGroup = await chain(add.s(1, 1), group(add.s(10), add.s(20))).applyAsync();
    expect(endsInGroup).toBeInstanceOf(GroupResult);
    expect(await endsInGroup.get(T)).toEqual([12, 22]);
    const groupThenTask = await chain(group(add.s(1, 1), add.s(2, 2)), tsum.s(), mul.s(10)).applyAsync();
    expect(await groupThenTask.get(T)).toBe(60);
  });

  it('passes a chain step into a map only when asked: map and starmap are immutable, as in Celery', async () => {
    const { add, tsum } = await setup();
    const r = await chain(add.s(1, 1), tsum.map([[1, 2], [3]]), tsum.s()).applyAsync();
    expect(await r.get(T)).toBe(6);
  });
});

describe('errbacks at every level', () => {
  it('task, chain step, group member, chord header (ChordError on the body) and chord body', async () => {
    const { add, tsum, fail, onError, errbacks } = await setup();
    const task = await fail.s('x').linkError(onError.s()).delay();
    await expect(task.get(T)).rejects.toMatchObject({ excType: 'ValueError' });
    const c = await chain(add.s(1, 1), fail.si('y'), add.s(1)).linkError(onError.s()).applyAsync();
    await expect(c.get(T)).rejects.toBeInstanceOf(RemoteTaskError); // the last step fails too: nobody waits for ever
    const g = await group(add.s(1, 1), fail.s('z')).linkError(onError.s()).applyAsync();
    const settled = await g.settle(T);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    const ch = await chord([add.s(1, 1), fail.s('w')], tsum.s()).linkError(onError.s()).applyAsync();
    await expect(ch.get(T)).rejects.toMatchObject({ excType: 'ChordError' });
    const body = await chord([add.s(1, 1)], fail.si('body')).linkError(onError.s()).applyAsync();
    await expect(body.get(T)).rejects.toMatchObject({ excType: 'ValueError' });
    await expect.poll(() => errbacks.length, T).toBe(5);
    expect(errbacks).toContain(task.id);
    expect(errbacks).toContain(ch.id);
    expect(errbacks).toContain(body.id);
    expect(errbacks).toContain(g.results[1]!.id);
  });

  it('fails what follows a failed chord and a chain step that is a chord member, so nothing hangs', async () => {
    const { add, tsum, fail, mul } = await setup();
    const r = await chain(add.s(1, 1), chord([add.s(1), fail.si('m')], tsum.s()), mul.s(2), add.s(1)).applyAsync();
    await expect(r.get(T)).rejects.toMatchObject({ excType: 'ChordError' });
    const member = await chord([chain(fail.si('first'), add.s(1)), add.s(1, 1)], tsum.s()).applyAsync();
    await expect(member.get(T)).rejects.toMatchObject({ excType: 'ChordError' });
  });
});

describe('replace()', () => {
  it('hands the task id to a signature, a chain (with the rest of the outer chain after it) or a group (celery.accumulate)', async () => {
    const { app, add, mul } = await setup();
    const replacer = app.task('replacer', async function (kind: string) {
      if (kind === 'task') return this.replace(add.s(20, 22));
      if (kind === 'chain') return this.replace(chain(add.s(1, 1), mul.s(10)));
      return this.replace(group(add.s(1, 1), add.s(2, 2)));
    });
    const direct = await replacer.delay('task');
    expect(await direct.get(T)).toBe(42);
    const inChain = await chain(replacer.s('chain'), add.s(1)).applyAsync();
    expect(await inChain.get(T)).toBe(21);
    const asGroup = await replacer.delay('group');
    expect(await asGroup.get(T)).toEqual([2, 4]);
    const chainToGroup = await app.task('replacer2', function () {
      return this.replace(chain(add.s(1, 1), group(add.s(1), add.s(2))));
    }).delay();
    expect(await chainToGroup.get(T)).toEqual([3, 4]);
    const inChord = await chord([replacer.s('group'), add.s(1, 1)], app.signature('tsum').s()).applyAsync();
    expect(await inChord.get(T)).toBe(8);
    expect(await (await app.asyncResult(direct.id).info())?.status).toBe('SUCCESS');
  });
});

describe('result API', () => {
  it('records children: tasks sent by a task (as their parent), its callbacks and its next chain step', async () => {
    const { app, add } = await setup();
    const parent = app.task('parent', async function () {
      const child = await add.delay(1, 2);
      const kids = await group(add.s(1, 1), add.s(2, 2)).applyAsync();
      return [child.id, kids.id];
    });
    const r = await chain(parent.s().link(add.si(0, 0)), add.si(5, 5)).applyAsync();
    expect(await r.get(T)).toBe(10);
    const first = app.asyncResult((await (r.parent ?? r).info())?.parent_id ?? '');
    const [childId, groupId] = (await first.get(T)) as [string, string];
    const children = await first.children();
    expect(children.map((c) => c.id)).toEqual([childId, groupId, expect.any(String), r.id]);
    expect(children[1]).toBeInstanceOf(GroupResult);
    expect((await app.asyncResult(childId).info())?.parent_id).toBe(first.id);
  });

  it('stores result_extended fields when the app asks for them', async () => {
    const { app, add } = await setup({ resultExtended: true });
    const r = await add.applyAsync([2, 3], { kwargs: {} });
    await r.get(T);
    expect(await r.info()).toMatchObject({ name: 'add', args: [2, 3], kwargs: {}, worker: expect.stringContaining('@'), retries: 0, queue: 'celery' });
    expect(createApp({ logger: silent }).options.resultExtended).toBe(false);
    expect(app.options.resultExtended).toBe(true);
  });

  it('saves and restores a GroupResult, forgets results, and tells known ids from unknown ones', async () => {
    const { app, add } = await setup();
    const g = await group(add.s(1, 1), add.s(2, 2)).applyAsync();
    await g.get(T);
    expect(await app.restoreGroup(g.id)).toBeNull();
    await g.save();
    const back = await app.restoreGroup(g.id);
    expect(back?.results.map((r) => r.id)).toEqual(g.results.map((r) => r.id));
    expect(await back?.get(T)).toEqual([2, 4]);
    expect(await g.results[0]!.exists()).toBe(true);
    expect(await app.asyncResult('never-sent').exists()).toBe(false);
    await g.results[0]!.forget();
    expect(await g.results[0]!.exists()).toBe(false);
    await g.delete();
    expect(await app.restoreGroup(g.id)).toBeNull();
  });

  it('stores a clear failure for a message the worker refuses, instead of leaving the caller to time out', async () => {
    const broker = new MemoryBroker();
    const { app } = await setup({ broker });
    const props = { contentType: 'application/json', contentEncoding: 'utf-8', correlationId: 'bad-1', headers: { task: 'add', id: 'bad-1' } };
    await broker.publish({ exchange: '', routingKey: 'celery' }, { body: Buffer.from('[[1,2],{}]'), properties: props });
    await expect(app.asyncResult('bad-1').get(T)).rejects.toMatchObject({ excType: 'InvalidTaskError', excModule: 'celery.exceptions' });
    const rejecting = app.task('rejects', () => {
      throw new Reject('not for me');
    });
    await expect((await rejecting.delay()).get(T)).rejects.toMatchObject({ excType: 'Reject', excModule: 'celery.exceptions' });
    expect((await broker.inspectQueue('celery.dlq'))?.messageCount).toBe(2);
  });
});
