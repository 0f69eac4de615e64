import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composePublish, type Instrumentation, type PublishInfo, type PublishWrapper } from './instrumentation.js';

const info = { taskId: 'id', taskName: 't', route: { exchange: '', routingKey: 'q' }, queue: 'q', rootId: 'id', parentId: null, groupId: null, retries: 0, headers: {} } satisfies PublishInfo;

/** Wrappers that misbehave in every way a wrapper can. */
const behaviours: Record<string, PublishWrapper> = {
  passes: (_i, p) => p(),
  twice: async (_i, p) => {
    await p();
    await p();
  },
  never: async () => undefined,
  throwsBefore: async () => {
    throw new Error('before');
  },
  throwsAfter: async (_i, p) => {
    await p();
    throw new Error('after');
  },
  swallows: async (_i, p) => {
    await p().catch(() => undefined);
  },
  addsHeader: async (i, p) => {
    i.headers.traceparent = 'x';
    await p();
  },
};

describe('composePublish', () => {
  it('is null without wrappers, so the publish path stays as it was', () => {
    expect(composePublish([], () => undefined)).toBeNull();
    expect(composePublish([{ name: 'run only', run: (_i, r) => r() }], () => undefined)).toBeNull();
  });

  it('runs the work exactly once and returns its own outcome, whatever the wrappers do', async () => {
    const names = Object.keys(behaviours);
    await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 5 }), fc.boolean(), async (chosen, workFails) => {
      const list: Instrumentation[] = chosen.map((n) => ({ name: n, publish: behaviours[n] }));
      const errors: string[] = [];
      const wrapped = composePublish(list, (_e, name) => errors.push(name))!;
      let calls = 0;
      const work = async () => {
        calls++;
        if (workFails) throw new Error('broker down');
      };
      const outcome = await wrapped({ ...info, headers: {} }, work).then(() => 'ok', (e: Error) => e.message);
      expect(calls).toBe(1);
      expect(outcome).toBe(workFails ? 'broker down' : 'ok');
      // misbehaving wrappers are reported (those that never call or throw on their own)
      for (const n of chosen) if (n === 'never' || n === 'throwsBefore') expect(errors).toContain(n);
    }), { numRuns: 300 });
  });

  it('nests wrappers first-outermost and lets them add headers before the publish', async () => {
    const order: string[] = [];
    const mk = (n: string): Instrumentation => ({ name: n, publish: async (i, p) => {
      order.push(`>${n}`);
      i.headers[n] = true;
      await p();
      order.push(`<${n}`);
    } });
    const headers: Record<string, unknown> = {};
    await composePublish([mk('a'), mk('b')], () => undefined)!({ ...info, headers }, async () => {
      order.push(`publish ${Object.keys(headers).join(',')}`);
    });
    expect(order).toEqual(['>a', '>b', 'publish a,b', '<b', '<a']);
  });
});
