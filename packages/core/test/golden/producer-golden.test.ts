/**
 * Celeriac's producer against messages captured from Python Celery 5.2.6 and 5.6.2: same header
 * keys in the same order (5.6's additions aside, which a 5.6 worker reads with defaults), same
 * value types, same properties, same body, ids and times aside.
 */
import { describe, expect, it } from 'vitest';
import { chain, chord, group, parseCeleryDate } from '../../src/index.js';
import { capturingApp, FIXTURE_SETS, fixture, messagesOf, normaliseCode, toWire, typeCode, type FixtureSet, type WireMessage } from './capture.js';

const Q = 'golden_q';
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VOLATILE_HEADERS = new Set(['id', 'root_id', 'parent_id', 'group', 'origin', 'eta', 'expires']);

/** Replaces ids with placeholders in order of first appearance, so relations can be compared. */
function canon(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string' && ID.test(value)) {
    if (!ids.has(value)) ids.set(value, `<id${ids.size}>`);
    return ids.get(value);
  }
  if (Array.isArray(value)) return value.map((v) => canon(v, ids));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'reply_to' ? '<reply>' : canon(v, ids)]));
  }
  return value;
}

/** Python tuples the caller wrote (JS has none) show as `(…)` in reprs; with `tuples`, compare them as lists. */
const listify = (v: unknown) => (typeof v === 'string' ? v.replace(/\((\d[^()]*)\)/g, '[$1]') : v);

function compare(set: FixtureSet, ours: WireMessage, theirs: WireMessage, ids: { ours: Map<string, string>; theirs: Map<string, string> }, tuples = false) {
  const oh = ours.headers!;
  const th = theirs.headers!;
  const shared = Object.keys(th).filter((k) => !set.newHeaders.includes(k));
  expect(Object.keys(oh)).toEqual(shared);
  for (const key of shared) {
    const want = theirs.header_types?.[key];
    if (want) expect(normaliseCode(typeCode(oh[key])), `type of header ${key}`).toBe(normaliseCode(want));
    if (VOLATILE_HEADERS.has(key)) continue;
    if (tuples && key === 'kwargsrepr') expect(oh[key], `header ${key}`).toEqual(listify(th[key]));
    else expect(oh[key], `header ${key}`).toEqual(th[key]);
  }
  expect(canon({ id: oh.id, root: oh.root_id, parent: oh.parent_id, group: oh.group }, ids.ours))
    .toEqual(canon({ id: th.id, root: th.root_id, parent: th.parent_id, group: th.group }, ids.theirs));
  expect(oh.origin).toMatch(/^gen\d+@.+$/);
  expect(Object.keys(ours.properties).sort()).toEqual(Object.keys(theirs.properties).sort());
  for (const key of ['content_type', 'content_encoding', 'delivery_mode', 'priority']) {
    expect(ours.properties[key], `property ${key}`).toEqual(theirs.properties[key]);
  }
  expect(ours.properties.correlation_id).toBe(oh.id);
  expect(theirs.properties.correlation_id).toBe(th.id);
  expect(canon(JSON.parse(ours.body), ids.ours)).toEqual(canon(JSON.parse(theirs.body), ids.theirs));
  expect(ours.delivery_info).toEqual({ exchange: '', routing_key: Q });
  expect(theirs.delivery_info?.exchange).toBe('');
}

async function check(set: FixtureSet, name: string, send: (app: ReturnType<typeof capturingApp>['app']) => Promise<unknown>, tuples = false) {
  const f = fixture(name, set);
  const { app, take } = capturingApp(Q);
  await send(app);
  const ours = (await take()).map(toWire);
  const theirs = messagesOf(f).map((m) => set.align(name, m));
  expect(ours).toHaveLength(theirs.length);
  const ids = { ours: new Map<string, string>(), theirs: new Map<string, string>() };
  ours.forEach((m, i) => compare(set, m, theirs[i]!, ids, tuples));
  await app.close();
  return { ours, theirs };
}

for (const set of FIXTURE_SETS) {
  describe(`producer matches Python ${set.name} field for field`, () => {
    it('add.delay(2, 3)', async () => {
      await check(set, 'add-delay', (app) => app.signature<[number, number], number>('proto.add').delay(2, 3));
    });

    it('kwargs', async () => {
      await check(set, 'kwargs', (app) => app.signature('proto.add').applyAsync([], { kwargs: { x: 1, y: 2 } }));
    });

    it("send_task('proto.add', [5, 6]) keeps the list repr", async () => {
      await check(set, 'send-task', (app) => app.sendTask('proto.add', [5, 6], {}));
    });

    it('apply_async with countdown, expires, priority, limits, headers, shadow, link, link_error', async () => {
      const f = fixture('apply-async-options', set);
      const { ours, theirs } = await check(set, 'apply-async-options', (app) => {
        const mul = app.signature('proto.mul');
        const echo = app.signature('proto.echo');
        return app.signature('proto.add').applyAsync([2, 3], {
          countdown: 30, expires: 600, priority: 5, timeLimit: 30, softTimeLimit: 20, headers: { x_custom: 'hello' },
          shadow: 'add-shadowed', link: mul.s(10), linkError: echo.si('errback'),
        });
      });
      const sentAt = parseCeleryDate(f.sent_at).getTime();
      const theirEta = parseCeleryDate(theirs[0]!.headers!.eta as string).getTime();
      const ourEta = parseCeleryDate(ours[0]!.headers!.eta as string).getTime();
      expect(Math.abs(theirEta - sentAt - 30_000)).toBeLessThan(1000);
      expect(Math.abs(ourEta - Date.now() - 30_000)).toBeLessThan(1000);
      expect(ours[0]!.headers!.eta).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(ours[0]!.headers!.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(Number(ours[0]!.properties.expiration)).toBeGreaterThan(599_000);
      expect(Number(ours[0]!.properties.expiration)).toBeLessThanOrEqual(600_000);
      expect(theirs[0]!.properties.expiration).toBe('600000');
    });

    it("apply_async(queue=...) sends no priority property, as kombu does", async () => {
      await check(set, 'apply-async-queue', (app) => app.signature('proto.add').applyAsync([1, 1], { queue: Q }));
    });

    it('chain(add.s(1,2), mul.s(3), mul.s(4))', async () => {
      await check(set, 'chain', (app) => {
        const add = app.signature<[number, number], number>('proto.add');
        const mul = app.signature<[number, number], number>('proto.mul');
        return chain(add.s(1, 2), mul.s(3), mul.s(4)).applyAsync();
      });
    });

    it('group(add.s(1,1), add.s(2,2))', async () => {
      await check(set, 'group', (app) => {
        const add = app.signature<[number, number], number>('proto.add');
        return app.applyGroup(group(add.s(1, 1), add.s(2, 2)).toDict());
      });
    });

    it('tsum.map([[1, 2], [3]]) and add.starmap([(1, 2), (3, 4)])', async () => {
      await check(set, 'map', (app) => app.signature<[number[]], number>('proto.tsum').map([[1, 2], [3]]).applyAsync());
      // the Python call passed tuples, which only exist in Python: the kwargsrepr shows them as (1, 2)
      await check(set, 'starmap', (app) => app.signature<[number, number], number>('proto.add').starmap([[1, 2], [3, 4]]).applyAsync(), true);
    });

    it('chord([add.s(1,1), add.s(2,2)], tsum.s())', async () => {
      await check(set, 'chord', (app) => {
        const add = app.signature<[number, number], number>('proto.add');
        const tsum = app.signature<[number[]], number>('proto.tsum');
        return chord([add.s(1, 1), add.s(2, 2)], tsum.s()).applyAsync();
      });
    });
  });
}
