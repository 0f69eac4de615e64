import { AmqpBroker, createConsoleLogger } from '@celeriac/core';
import { afterEach, describe, expect, it } from 'vitest';
import { lockQueueName, RabbitMqLock } from '../../src/leader/rabbitmq-lock.js';
import { AMQP_URL, sleep, uniqueName, until } from './helpers.js';

const logger = createConsoleLogger('silent');
const started: RabbitMqLock[] = [];
afterEach(async () => {
  for (const l of started.splice(0)) await l.stop();
});

function lock(name: string, retryMs = 300): RabbitMqLock {
  const l = new RabbitMqLock({ url: AMQP_URL, name, retryMs, logger });
  started.push(l);
  return l;
}

/** What another connection sees of a queue: 'missing', 'locked' (exclusive to someone else) or 'open'. */
async function probe(name: string): Promise<'missing' | 'locked' | 'open'> {
  const admin = new AmqpBroker({ url: AMQP_URL });
  try {
    if ((await admin.inspectQueue(name)) !== null) return 'open';
    try {
      await admin.declareQueue({ name, durable: false, exclusive: true, autoDelete: true });
      await admin.deleteQueue(name);
      return 'missing';
    } catch (err) {
      if ((err as { code?: number }).code === 405) return 'locked';
      throw err;
    }
  } finally {
    await admin.close();
  }
}

describe('RabbitMqLock (real RabbitMQ)', () => {
  it('lets exactly one of several beats lead', async () => {
    const name = uniqueName();
    const locks = [lock(name), lock(name), lock(name)];
    const errors: Error[] = [];
    for (const l of locks) l.events.on('error', (e) => errors.push(e));
    await Promise.all(locks.map((l) => l.start()));
    await sleep(1000); // several retry rounds
    expect(locks.filter((l) => l.isLeader)).toHaveLength(1);
    expect(errors).toEqual([]); // RESOURCE_LOCKED is the normal answer for standbys, not an error
    expect(locks[0]!.queue).toBe(lockQueueName(name));
  });

  it('hands over when the leader stops, within one retry interval', async () => {
    const name = uniqueName();
    const a = lock(name, 500);
    const b = lock(name, 500);
    await a.start();
    await b.start();
    expect(a.isLeader).toBe(true);
    expect(b.isLeader).toBe(false);
    const lost: string[] = [];
    a.events.on('lost', (r) => lost.push(r));
    const stoppedAt = Date.now();
    await a.stop();
    await until(() => b.isLeader, 5000, 'b to lead');
    expect(Date.now() - stoppedAt).toBeLessThan(1500);
    expect(lost).toEqual(['stopped']);
  });

  it('holds an exclusive queue that dies with its connection, leaving nothing behind', async () => {
    const name = uniqueName();
    const a = lock(name);
    await a.start();
    expect(await probe(lockQueueName(name))).toBe('locked');
    await a.stop();
    expect(await probe(lockQueueName(name))).toBe('missing');
  });
});
