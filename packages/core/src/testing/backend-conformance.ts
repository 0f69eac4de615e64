/**
 * One suite for every ResultBackend: store / get / wait (pushed, with intermediate states),
 * timeouts, forget, SUCCESS never overwritten, and the chord counter where supported.
 */
import assert from 'node:assert/strict';
import type { ResultBackend } from '../backends/result-backend.js';
import { ErrorCode } from '../errors/base-error.js';
import { buildResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import { newId } from '../util/ids.js';
import { hasCode, sleep, TEST_TIMEOUT_MS, type TestApi } from './test-api.js';

export interface BackendUnderTest {
  backend: ResultBackend;
  /** Closes the backend and whatever it needs (its broker, a client). */
  close(): Promise<void>;
}

export interface BackendConformanceOptions {
  /**
   * The backend reads what was stored before (a store such as redis, not a reply queue such as
   * rpc), so a late duplicate must not replace a stored SUCCESS.
   */
  readsOthers: boolean;
}

export function runBackendConformance(t: TestApi, name: string, create: () => Promise<BackendUnderTest>, opts: BackendConformanceOptions): void {
  t.describe(`ResultBackend conformance: ${name}`, () => {
    let sut: BackendUnderTest | undefined;
    t.afterEach(async () => {
      await sut?.close();
      sut = undefined;
    });

    async function setup() {
      sut = await create();
      const replyTo = await sut.backend.prepareClient();
      return { b: sut.backend, target: (id: string) => ({ replyTo, correlationId: id }) };
    }
    const it = (title: string, body: () => Promise<void>) => t.it(title, body, TEST_TIMEOUT_MS);

    it('stores a result that get() and wait() return', async () => {
      const { b, target } = await setup();
      const id = newId();
      const waiting = b.wait(id, { timeoutMs: 5000 });
      await b.store(buildResultMeta({ taskId: id, status: TaskState.SUCCESS, result: { n: [1, 'ü', null] } }), target(id));
      const meta = await waiting;
      assert.equal(meta.status, 'SUCCESS');
      assert.deepStrictEqual(meta.result, { n: [1, 'ü', null] });
      await sleep(20);
      assert.equal((await b.get(id))?.status, 'SUCCESS');
      // waiting again after the fact resolves at once
      assert.deepStrictEqual((await b.wait(id, { timeoutMs: 1000 })).result, { n: [1, 'ü', null] });
    });

    it('reports intermediate states to onUpdate and resolves on the ready one', async () => {
      const { b, target } = await setup();
      const id = newId();
      const updates: string[] = [];
      const waiting = b.wait(id, { timeoutMs: 5000, onUpdate: (m) => updates.push(m.status) });
      await sleep(30);
      await b.store(buildResultMeta({ taskId: id, status: TaskState.STARTED, result: { pid: 1, hostname: 'h' } }), target(id));
      await b.store(buildResultMeta({ taskId: id, status: 'PROGRESS', result: { done: 1 } }), target(id));
      await b.store(buildResultMeta({ taskId: id, status: TaskState.FAILURE, result: { exc_type: 'ValueError', exc_message: ['x'], exc_module: 'builtins' } }), target(id));
      assert.equal((await waiting).status, 'FAILURE');
      assert.deepStrictEqual(updates, ['STARTED', 'PROGRESS']);
    });

    it('rejects with ResultTimeoutError when nothing arrives', async () => {
      const { b } = await setup();
      await assert.rejects(b.wait(newId(), { timeoutMs: 100 }), hasCode(ErrorCode.RESULT_TIMEOUT));
    });

    it('forgets a result', async () => {
      const { b, target } = await setup();
      const id = newId();
      await b.store(buildResultMeta({ taskId: id, status: TaskState.SUCCESS, result: 1 }), target(id));
      await b.wait(id, { timeoutMs: 2000 });
      await b.forget(id);
      assert.equal(await b.get(id), null);
    });

    if (opts.readsOthers) {
      it('never replaces a stored SUCCESS with a later state (redelivered duplicates)', async () => {
        const { b, target } = await setup();
        const id = newId();
        await b.store(buildResultMeta({ taskId: id, status: TaskState.SUCCESS, result: 7 }), target(id));
        await b.store(buildResultMeta({ taskId: id, status: TaskState.STARTED, result: {} }), target(id));
        assert.equal((await b.get(id))?.result, 7);
      });
    }

    it('counts chord members when it supports chords, and says so when not', async () => {
      const { b } = await setup();
      if (!b.supportsChords) {
        assert.equal(b.chordInit, undefined);
        return;
      }
      const gid = newId();
      await b.chordInit!(gid, 3);
      const ids = [newId(), newId(), newId()];
      const meta = (i: number) => buildResultMeta({ taskId: ids[i]!, status: TaskState.SUCCESS, result: i * 10 });
      assert.equal(await b.chordPartDone!({ groupId: gid, groupIndex: 2, taskId: ids[2]!, meta: meta(2) }), null);
      assert.equal(await b.chordPartDone!({ groupId: gid, groupIndex: 0, taskId: ids[0]!, meta: meta(0) }), null);
      const done = await b.chordPartDone!({ groupId: gid, groupIndex: 1, taskId: ids[1]!, meta: meta(1) });
      assert.deepStrictEqual(done?.members.map((m) => m.result), [0, 10, 20]);
    });
  });
}
