/** A Celeriac worker's retry republishes the message the way Python's Task.retry does (captured fixture). */
import { describe, expect, it } from 'vitest';
import { createApp, MemoryBroker, parseCeleryDate, type Delivery } from '../../src/index.js';
import { until } from '../helpers/env.js';
import { FIXTURE_SETS, fixture, normaliseCode, toWire, typeCode } from './capture.js';

describe.each(FIXTURE_SETS)('retry republish ($name)', (set) => {
  it('matches Python: retries+1, parent_id = own id, eta = now+countdown, limits/shadow/priority/reply_to kept, custom headers dropped', async () => {
    const theirs = set.align('retry-republished', fixture('retry-republished', set));
    const broker = new MemoryBroker();
    const app = createApp({ broker, backend: 'memory://', defaultQueue: 'tasks_q', logger: { debug() {}, info() {}, warn() {}, error() {} } });
    app.task('proto.retry_to_capture', function (_value: number, queue: string) {
      this.retry({ countdown: 5, queue, exc: Object.assign(new Error('captured retry'), { excType: 'KeyError' }) });
    });
    await broker.declareQueue({ name: 'capture_q' });
    const worker = app.worker({ queues: ['tasks_q'] });
    await worker.start();
    const id = await app.producer.send({
      name: 'proto.retry_to_capture', args: [1, 'capture_q'], kwargs: {},
      call: { headers: { x_custom: 'hello' }, timeLimit: 30, softTimeLimit: 20, priority: 3, shadow: 'retry-shadowed', replyTo: 'replies_q' },
    });
    const got: Delivery[] = [];
    await broker.consume(['capture_q'], (d) => got.push(d), { prefetch: 1 });
    await until(() => got.length === 1);
    const ours = toWire(got[0]!);
    const oh = ours.headers!;
    const th = theirs.headers!;
    const shared = Object.keys(th).filter((k) => !set.newHeaders.includes(k));
    expect(Object.keys(oh)).toEqual(shared);
    for (const key of shared) expect(normaliseCode(typeCode(oh[key])), key).toBe(normaliseCode(theirs.header_types![key]!));
    for (const key of ['retries', 'timelimit', 'shadow', 'group', 'group_index', 'expires', 'ignore_result', 'kwargsrepr', 'lang', 'task']) {
      expect(oh[key], key).toEqual(th[key]);
    }
    expect(oh.argsrepr).toBe("(1, 'capture_q')");
    expect([oh.id, oh.root_id, oh.parent_id]).toEqual([id, id, id]);
    expect(th.parent_id).toBe(th.id);
    expect(oh.x_custom).toBeUndefined();
    expect(Math.abs(parseCeleryDate(oh.eta as string).getTime() - Date.now() - 5000)).toBeLessThan(1000);
    expect(ours.properties).toMatchObject({ priority: 3, reply_to: 'replies_q', correlation_id: id, delivery_mode: 2 });
    expect(Object.keys(ours.properties).sort()).toEqual(Object.keys(theirs.properties).sort());
    expect(JSON.parse(ours.body)).toEqual([[1, 'capture_q'], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    expect(JSON.parse(theirs.body)).toEqual([[1, 'celeriac_fx_capture'], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    got[0]!.ack();
    await worker.stop();
    await app.close();
  });
});
