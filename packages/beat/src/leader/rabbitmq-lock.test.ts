import { TypedEmitter, type Broker, type BrokerEvents, type BrokerState, type QueueSpec } from '@celeriac/core';
import { describe, expect, it } from 'vitest';
import { LeaderLockError } from '../errors.js';
import { RabbitMqLock } from './rabbitmq-lock.js';

/** Just enough of a Broker to drive the lock: the test decides what each declare answers. */
class FakeBroker {
  readonly kind = 'amqp';
  readonly displayUrl = 'amqp://fake';
  readonly events = new TypedEmitter<BrokerEvents>();
  state: BrokerState = 'ready';
  declares: QueueSpec[] = [];
  deleted: string[] = [];
  answer: () => Promise<void> = async () => undefined;
  async declareQueue(spec: QueueSpec): Promise<void> {
    this.declares.push(spec);
    await this.answer();
  }
  async deleteQueue(name: string): Promise<void> {
    this.deleted.push(name);
  }
  drop(): void {
    this.state = 'reconnecting';
    this.events.emit('disconnected', new Error('socket closed'));
  }
  restore(): void {
    this.state = 'ready';
    this.events.emit('reconnected', 1);
  }
}

function setup(answer?: () => Promise<void>) {
  const broker = new FakeBroker();
  if (answer) broker.answer = answer;
  const lock = new RabbitMqLock({ broker: broker as unknown as Broker, name: 'unit', retryMs: 10 });
  const log: string[] = [];
  lock.events.on('acquired', () => log.push('acquired'));
  lock.events.on('lost', (reason) => log.push(`lost: ${reason}`));
  lock.events.on('error', (err) => log.push(`error: ${err.name}`));
  return { broker, lock, log };
}

const locked = () => Promise.reject(Object.assign(new Error('RESOURCE_LOCKED - cannot obtain exclusive access'), { code: 405 }));
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

describe('RabbitMqLock', () => {
  it('declares a non-durable exclusive auto-delete queue and leads when that works', async () => {
    const { broker, lock, log } = setup();
    await lock.start();
    expect(broker.declares[0]).toEqual({ name: 'celeriac.beat.lock.unit', durable: false, exclusive: true, autoDelete: true });
    expect(lock.isLeader).toBe(true);
    expect(log).toEqual(['acquired']);
    await tick();
    expect(broker.declares).toHaveLength(1); // holding it: no more declares
    await lock.stop();
    expect(broker.deleted).toEqual(['celeriac.beat.lock.unit']); // a broker it does not own: delete the queue
    expect(log).toEqual(['acquired', 'lost: stopped']);
  });

  it('stands by quietly while another connection holds the queue, and retries', async () => {
    const { broker, lock, log } = setup(locked);
    await lock.start();
    await tick();
    expect(lock.isLeader).toBe(false);
    expect(broker.declares.length).toBeGreaterThan(1);
    broker.answer = async () => undefined; // the leader died
    await tick();
    expect(lock.isLeader).toBe(true);
    expect(log).toEqual(['acquired']);
    await lock.stop();
  });

  it('loses the lead the moment its connection drops, and gets it back only through a reconnect', async () => {
    const { broker, lock, log } = setup();
    await lock.start();
    broker.drop();
    expect(lock.isLeader).toBe(false);
    await tick();
    expect(broker.declares).toHaveLength(1); // the broker's reconnect re-declares; the lock does not race it
    broker.restore();
    expect(lock.isLeader).toBe(true);
    expect(log).toEqual(['acquired', 'lost: connection to RabbitMQ lost', 'acquired']);
    await lock.stop();
  });

  it('reports errors other than RESOURCE_LOCKED and keeps trying', async () => {
    let calls = 0;
    const { lock, log } = setup(() => (++calls === 1 ? Promise.reject(new Error('PRECONDITION_FAILED')) : Promise.resolve()));
    await lock.start();
    await tick();
    expect(log).toEqual(['error: LeaderLockError', 'acquired']);
    await lock.stop();
  });

  it('needs a URL or a broker', () => {
    expect(() => new RabbitMqLock({})).toThrow(LeaderLockError);
  });
});
