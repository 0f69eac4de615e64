import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveSend, routingName, SEND_DEFAULTS, type SendLayers } from './resolve-send.js';
import type { SendOptions } from './apply-options.js';

const NOW = Date.UTC(2026, 0, 1);
const ids = () => 'new-id';

/** An optional value: present in about half the generated layers. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const layer = fc.record({
  priority: maybe(fc.integer({ min: 0, max: 255 })),
  timeLimit: maybe(fc.integer({ min: 1, max: 3600 })),
  softTimeLimit: maybe(fc.integer({ min: 1, max: 3600 })),
  ignoreResult: maybe(fc.boolean()),
  queue: maybe(fc.constantFrom('q_a', 'q_b', 'q_c')),
  shadow: maybe(fc.string({ minLength: 1, maxLength: 8 })),
  countdown: maybe(fc.integer({ min: 0, max: 1000 })),
  kwargs: maybe(fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.integer())),
}, { requiredKeys: [] });

const first = <T>(...values: (T | undefined)[]): T | undefined => values.find((v) => v !== undefined);

describe('resolveSend: one precedence for every send', () => {
  it('takes each option from the call, else the signature, else the task, else the defaults', () => {
    fc.assert(fc.property(layer, layer, layer, maybe(fc.constantFrom('q_route')), (call, sig, task, routeQueue) => {
      const layers: SendLayers = { task: task, defaultQueue: 'q_default', now: NOW, ...(task.queue ? { taskQueue: task.queue } : {}), ...(routeQueue ? { route: { queue: routeQueue } } : {}) };
      const r = resolveSend({ name: 't', args: [1], kwargs: { a: 0, z: 9 }, call: call as SendOptions, signature: sig as SendOptions }, layers, ids);
      expect(r.timeLimit).toBe(first(call.timeLimit, sig.timeLimit, task.timeLimit) ?? SEND_DEFAULTS.timeLimit);
      expect(r.softTimeLimit).toBe(first(call.softTimeLimit, sig.softTimeLimit, task.softTimeLimit) ?? SEND_DEFAULTS.softTimeLimit);
      expect(r.ignoreResult).toBe(first(call.ignoreResult, sig.ignoreResult, task.ignoreResult) ?? SEND_DEFAULTS.ignoreResult);
      expect(r.shadow).toBe(first(call.shadow, sig.shadow) ?? null);
      const explicitQueue = first(call.queue, sig.queue);
      expect(r.queue).toBe(explicitQueue ?? task.queue ?? routeQueue ?? 'q_default');
      expect(r.route).toEqual({ exchange: '', routingKey: r.queue });
      // kombu writes no priority property when a queue is named in the call and none is given
      expect(r.priority).toBe(first(call.priority, sig.priority, task.priority) ?? (explicitQueue === undefined ? 0 : undefined));
      const countdown = first(call.countdown, sig.countdown);
      expect(r.eta?.getTime() ?? null).toBe(countdown === undefined ? null : NOW + countdown * 1000);
      expect(r.kwargs).toEqual({ a: 0, z: 9, ...(sig.kwargs ?? {}), ...(call.kwargs ?? {}) });
    }), { numRuns: 500 });
  });

  it("keeps a call's countdown over a signature's eta: time and destination come from one layer", () => {
    const r = resolveSend({ name: 't', args: [], kwargs: {}, call: { countdown: 5 }, signature: { eta: '2030-01-01T00:00:00+00:00', queue: 'sq', routingKey: 'rk' } }, { defaultQueue: 'd', now: NOW }, ids);
    expect(r.eta?.getTime()).toBe(NOW + 5000);
    expect(r.route).toEqual({ exchange: '', routingKey: 'rk' });
    const c = resolveSend({ name: 't', args: [], kwargs: {}, call: { queue: 'cq' }, signature: { queue: 'sq', routingKey: 'rk' } }, { defaultQueue: 'd', now: NOW }, ids);
    expect(c.route).toEqual({ exchange: '', routingKey: 'cq' });
  });

  it('uses the id, group, lineage, chain and chord it is given, and reports replacement nesting as a header', () => {
    const chord = { task: 'b', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };
    const r = resolveSend({ name: 't', args: [], kwargs: {}, call: { taskId: 'x', groupId: 'g', groupIndex: 2, rootId: 'r', parentId: 'p', chain: [], chord, replacedTaskNesting: 1 } }, { defaultQueue: 'd', now: NOW }, ids);
    expect(r).toMatchObject({ id: 'x', groupId: 'g', groupIndex: 2, rootId: 'r', parentId: 'p', embed: { chain: [], chord, callbacks: null, errbacks: null }, headers: { replaced_task_nesting: 1 } });
    expect(resolveSend({ name: 't', args: [], kwargs: {} }, { defaultQueue: 'd', now: NOW }, ids)).toMatchObject({ id: 'new-id', headers: undefined, embed: { chain: null } });
  });

  it('routes celery.map / starmap / chunks by the task they run, as Celery does', () => {
    const inner = { task: 'images.resize', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };
    for (const name of ['celery.map', 'celery.starmap', 'celery.chunks']) expect(routingName(name, { task: inner, it: [] })).toBe('images.resize');
    expect(routingName('celery.map', { it: [] })).toBe('celery.map');
    expect(routingName('tasks.add', { task: inner })).toBe('tasks.add');
  });
});
