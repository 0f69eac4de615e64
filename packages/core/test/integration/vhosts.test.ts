/**
 * Vhosts on the real RabbitMQ: two apps with the very same names (queue `celery`, control
 * `celery`, events `celeryev`) on two vhosts of this file's own do not see each other's tasks,
 * control replies or events; Python Celery on the same vhost interoperates, with users whose
 * generated passwords hold `@ : / %` and non-ASCII characters, percent-encoded in the URL as
 * Celery expects them.
 */
import { hostname } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CeleriacApp, type CeleryEvent, type Worker } from '../../src/index.js';
import { silent, unique, until } from '../helpers/env.js';
import { drive, startPythonWorker, type PythonEnv, type PythonWorker } from '../helpers/python.js';
import { testVhost, type TestUser, type TestVhost } from '../helpers/rabbit-admin.js';

interface Side {
  vhost: TestVhost;
  user: TestUser;
  app: CeleriacApp;
  worker: Worker;
  events: CeleryEvent[];
}

/** A password with every character a URL needs encoded, plus generated ones (printable, any script). */
function generatedPassword(seed: number): string {
  const [random] = fc.sample(fc.string({ unit: fc.constantFrom(...Array.from('abcXYZ019 @:/%?#&=+;,~é€日😀')), minLength: 4, maxLength: 12 }), { seed, numRuns: 1 });
  return `${random}@:/%é`;
}

const sides: Side[] = [];
const ALL = { configure: '.*', write: '.*', read: '.*' };

beforeAll(async () => {
  const seed = Date.now() % 100_000;
  for (const label of ['a', 'b']) {
    const vhost = await testVhost(`vh${label}`);
    const { user } = await vhost.users({ user: ALL }, () => generatedPassword(seed + label.charCodeAt(0)));
    const app = createApp({ broker: user!.url, backend: 'rpc://', logger: silent });
    app.task('vh.where', () => label);
    const worker = app.worker({ hostname: `vh_${label}_${unique('w')}@${hostname()}`, sendEvents: true });
    await worker.start();
    const events: CeleryEvent[] = [];
    const receiver = app.eventReceiver();
    receiver.on('event', (e) => events.push(e));
    await receiver.start();
    sides.push({ vhost, user: user!, app, worker, events });
  }
}, 120_000);

afterAll(async () => {
  for (const s of sides) {
    await s.worker.stop().catch(() => undefined);
    await s.app.close().catch(() => undefined);
    await s.vhost.remove();
  }
}, 120_000);

describe('two vhosts, the same names', () => {
  it("each app's tasks, control replies and events stay in its vhost", async () => {
    const [a, b] = sides as [Side, Side];
    const sent = await Promise.all([
      ...Array.from({ length: 20 }, () => a.app.sendTask<string>('vh.where').then((r) => r.get({ timeout: 20_000 }))),
      ...Array.from({ length: 20 }, () => b.app.sendTask<string>('vh.where').then((r) => r.get({ timeout: 20_000 }))),
    ]);
    expect(sent).toEqual([...Array(20).fill('a'), ...Array(20).fill('b')]);
    expect(await a.app.control.ping({ timeout: 2000 })).toEqual([{ [a.worker.hostname]: { ok: 'pong' } }]);
    expect(await b.app.control.ping({ timeout: 2000 })).toEqual([{ [b.worker.hostname]: { ok: 'pong' } }]);
    await until(() => a.events.filter((e) => e.type === 'task-succeeded').length >= 20 && b.events.filter((e) => e.type === 'task-succeeded').length >= 20, 15_000);
    expect(new Set(a.events.map((e) => e.hostname))).toEqual(new Set([a.worker.hostname]));
    expect(new Set(b.events.map((e) => e.hostname))).toEqual(new Set([b.worker.hostname]));
  }, 60_000);
});

describe('Python Celery on the same vhost', () => {
  let py: PythonWorker | undefined;
  let env: PythonEnv;

  afterAll(async () => {
    await py?.stop();
  }, 30_000);

  it('runs a Celeriac task and calls a Celeriac worker, logging in with the same percent-encoded password', async () => {
    const [a, b] = sides as [Side, Side];
    const queue = unique('vhpy');
    env = { queue, ns: queue, backend: 'rpc://', extra: { INTEROP_BROKER: a.user.url } };
    py = await startPythonWorker(env, `${queue}_w1`);
    // Celeriac → Python worker, on vhost a
    expect(await (await a.app.sendTask('proto.add', [2, 3], {}, { queue })).get({ timeout: 30_000 })).toBe(5);
    // Python client → the Celeriac worker of its vhost (queue celery), on each vhost
    for (const side of [a, b]) {
      const res = await drive<{ state: string; result: unknown }>({ ...env, extra: { INTEROP_BROKER: side.user.url } }, ['call', 'vh.where', '--queue', 'celery', '--timeout', '30']);
      expect(res).toMatchObject({ state: 'SUCCESS', result: side === a ? 'a' : 'b' });
    }
    // the task sent to vhost a's Python queue never reached vhost b
    expect(await b.app.broker.inspectQueue(queue)).toBeNull();
  }, 120_000);
});
