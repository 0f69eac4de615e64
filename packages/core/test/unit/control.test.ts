/** Remote control between a Celeriac client and worker on the memory broker: replies shaped like Python's. */
import { describe, expect, it } from 'vitest';
import { createApp, MemoryBackend, MemoryBroker } from '../../src/index.js';
import { silent, until } from '../helpers/env.js';

describe('remote control', () => {
  it('answers ping, inspect, revoke with terminate, time_limit, add/cancel consumer, and unknown commands like Python', async () => {
    const broker = new MemoryBroker();
    const backend = new MemoryBackend();
    const app = createApp({ broker, backend, logger: silent });
    const client = createApp({ broker, backend, logger: silent });
    app.task('slow', function () {
      return new Promise((_, reject) => this.signal.addEventListener('abort', () => reject(this.signal.reason)));
    });
    const worker = app.worker({ hostname: 'w1@test' });
    await worker.start();
    expect(await client.control.ping({ timeout: 200 })).toEqual([{ 'w1@test': { ok: 'pong' } }]);
    expect(await client.control.ping({ destination: ['other@x'], timeout: 100 })).toEqual([]);
    expect(await client.control.inspect('registered', {}, { timeout: 200 })).toEqual({ 'w1@test': ['slow'] });

    const r = await client.sendTask('slow');
    await until(() => worker.active.size === 1);
    const active = await client.control.inspect('active', {}, { timeout: 200 }) as Record<string, { id: string; name: string; acknowledged: boolean }[]>;
    expect(active['w1@test']).toMatchObject([{ id: r.id, name: 'slow', acknowledged: false }]);
    const replies = await client.control.revoke(r.id, { terminate: true, reply: true, timeout: 200 });
    expect(replies).toEqual([{ 'w1@test': { ok: `terminate: ${r.id}` } }]);
    await expect(r.get({ timeout: 2000 })).rejects.toMatchObject({ state: 'REVOKED', excType: 'TaskRevokedError', excArgs: ['terminated'] });

    expect(await client.control.broadcast('time_limit', { task_name: 'slow', soft: 5, hard: 10 }, { timeout: 200 }))
      .toEqual([{ 'w1@test': { ok: 'time limits set successfully' } }]);
    expect(app.tasks.get('slow')!.options).toMatchObject({ softTimeLimit: 5, timeLimit: 10 });
    await client.control.broadcast('add_consumer', { queue: 'extra' }, { timeout: 200 });
    expect(worker.options.queues).toContain('extra');
    await client.control.broadcast('cancel_consumer', { queue: 'extra' }, { timeout: 200 });
    expect(worker.options.queues).not.toContain('extra');
    expect(await client.control.broadcast('no_such_command', {}, { timeout: 200 })).toEqual([{ 'w1@test': { error: "KeyError('no_such_command')" } }]);
    const stats = await client.control.inspect('stats', {}, { timeout: 200 }) as Record<string, { total: Record<string, number>; prefetch_count: number; clock: string }>;
    expect(stats['w1@test']).toMatchObject({ total: { slow: 1 }, prefetch_count: 32 });
    expect(typeof stats['w1@test']!.clock).toBe('string');

    await client.control.shutdown();
    await until(() => worker.state === 'stopped');
    await app.close();
    await client.close();
  });
});
