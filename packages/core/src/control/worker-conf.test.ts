import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../index.js';
import { censorSettings } from './worker-conf.js';

describe('censorSettings', () => {
  it('masks keys Celery hides and passwords in broker and backend URLs, at any depth', () => {
    const secret = fc.string({ minLength: 3, maxLength: 12 }).filter((s) => /^[A-Za-z0-9]+$/.test(s));
    fc.assert(fc.property(secret, secret, fc.constantFrom('api_key', 'AUTH_TOKEN', 'password', 'db_secret', 'signature_x', 'DATABASE_url'), (user, pw, hiddenKey) => {
      const conf = {
        broker_url: `amqp://${user}:${pw}@h1:5672//;amqp://${user}:${pw}@h2:5672//`,
        result_backend: `redis://:${pw}@r:6379/0`,
        nested: { [hiddenKey]: pw, result_backend_transport: `redis://u:${pw}@x` },
        [hiddenKey]: pw,
        plain: 'kept',
      };
      const out = JSON.stringify(censorSettings(conf));
      expect(out).not.toContain(`:${pw}@`);
      expect(out).not.toContain(`"${pw}"`);
      expect(out).toContain('"plain":"kept"');
      expect(out).toContain(`amqp://${user}:********@h1:5672//;amqp://${user}:********@h2:5672//`);
    }), { numRuns: 200 });
  });
});

describe('pool_grow and pool_shrink', () => {
  it('change the concurrency and the prefetch window with it, never below 1', async () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const client = createApp({ broker: app.broker, backend: app.backend, logger: app.logger });
    const worker = app.worker({ hostname: 'w@t', concurrency: 2, prefetchMultiplier: 3 });
    await worker.start();
    expect(await client.control.broadcast('pool_grow', { n: 3 }, { timeout: 200 })).toEqual([{ 'w@t': { ok: 'pool will grow' } }]);
    expect(worker.options).toMatchObject({ concurrency: 5, prefetch: 15 });
    await client.control.broadcast('pool_shrink', { n: 10 }, { timeout: 200 });
    expect(worker.options).toMatchObject({ concurrency: 1, prefetch: 3 });
    const conf = await client.control.inspect('conf', {}, { timeout: 200 });
    expect(conf['w@t']).toMatchObject({ worker_concurrency: 1, worker_prefetch_multiplier: 3 });
    await worker.stop();
    await client.close();
    await app.close();
  });
});
