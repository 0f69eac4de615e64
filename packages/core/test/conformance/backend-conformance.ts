/**
 * One suite for every ResultBackend: store / get / wait (pushed, with intermediate states),
 * timeouts, forget, SUCCESS never overwritten, and the chord counter where supported.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ResultTimeoutError, TaskState, type ResultBackend } from '../../src/index.js';
import { buildResultMeta } from '../../src/protocol/result-meta.js';
import { newId } from '../../src/util/ids.js';

export interface BackendUnderTest {
  backend: ResultBackend;
  close(): Promise<void>;
}

export function runBackendConformance(name: string, create: () => Promise<BackendUnderTest>, opts: { readsOthers: boolean }): void {
  describe(`ResultBackend conformance: ${name}`, () => {
    let sut: BackendUnderTest;
    afterEach(async () => sut?.close());

    async function setup() {
      sut = await create();
      const replyTo = await sut.backend.prepareClient();
      return { b: sut.backend, target: (id: string) => ({ replyTo, correlationId: id }) };
    }

    it('stores a result that get() and wait() return', async () => {
      const { b, target } = await setup();
      const id = newId();
      const waiting = b.wait(id, { timeoutMs: 5000 });
      await b.store(buildResultMeta({ taskId: id, status: TaskState.SUCCESS, result: { n: [1, 'ü', null] } }), target(id));
      const meta = await waiting;
      expect(meta.status).toBe('SUCCESS');
      expect(meta.result).toEqual({ n: [1, 'ü', null] });
      await new Promise((r) => setTimeout(r, 20));
      expect((await b.get(id))?.status).toBe('SUCCESS');
      // waiting again after the fact resolves at once
      expect((await b.wait(id, { timeoutMs: 1000 })).result).toEqual({ n: [1, 'ü', null] });
    });

    it('reports intermediate states to onUpdate and resolves on the ready one', async () => {
      const { b, target } = await setup();
      const id = newId();
      const updates: string[] = [];
      const waiting = b.wait(id, { timeoutMs: 5000, onUpdate: (m) => updates.push(m.status) });
      await new Promise((r) => setTimeout(r, 30));
      await b.store(buildResultMeta({ taskId: id, status: TaskState.STARTED, result: { pid: 1, hostname: 'h' } }), target(id));
      await b.store(buildResultMeta({ taskId: id, status: 'PROGRESS', result: { done: 1 } }), target(id));
      await b.store(buildResultMeta({ taskId: id, status: TaskState.FAILURE, result: { exc_type: 'ValueError', exc_message: ['x'], exc_module: 'builtins' } }), target(id));
      const meta = await waiting;
      expect(meta.status).toBe('FAILURE');
      expect(updates).toEqual(['STARTED', 'PROGRESS']);
    });

    it('rejects with ResultTimeoutError when nothing arrives', async () => {
      const { b } = await setup();
      await expect(b.wait(newId(), { timeoutMs: 100 })).rejects.toBeInstanceOf(ResultTimeoutError);
    });

    it('forgets a result', async () => {
      const { b, target } = await setup();
      const id = newId();
      await b.store(buildResultMeta({ taskId: id, status: TaskState.SUCCESS, result: 1 }), target(id));
      await b.wait(id, { timeoutMs: 2000 });
      await b.forget(id);
      expect(await b.get(id)).toBeNull();
    });

    if (opts.readsOthers) {
      it('never replaces a stored SUCCESS with a later state (redelivered duplicates)', async () => {
        const { b, target } = await setup();
        const id = newId();
        await b.store(buildResultMeta({ taskId: id, status: TaskState.SUCCESS, result: 7 }), target(id));
        await b.store(buildResultMeta({ taskId: id, status: TaskState.STARTED, result: {} }), target(id));
        expect((await b.get(id))?.result).toBe(7);
      });
    }

    it('counts chord members when it supports chords, and says so when not', async () => {
      const { b } = await setup();
      if (!b.supportsChords) {
        expect(b.chordInit).toBeUndefined();
        return;
      }
      const gid = newId();
      await b.chordInit!(gid, 3);
      const ids = [newId(), newId(), newId()];
      const meta = (i: number) => buildResultMeta({ taskId: ids[i]!, status: TaskState.SUCCESS, result: i * 10 });
      expect(await b.chordPartDone!({ groupId: gid, groupIndex: 2, taskId: ids[2]!, meta: meta(2) })).toBeNull();
      expect(await b.chordPartDone!({ groupId: gid, groupIndex: 0, taskId: ids[0]!, meta: meta(0) })).toBeNull();
      const done = await b.chordPartDone!({ groupId: gid, groupIndex: 1, taskId: ids[1]!, meta: meta(1) });
      expect(done?.members.map((m) => m.result)).toEqual([0, 10, 20]);
    });
  });
}
