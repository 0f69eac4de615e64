import { describe, expect, it } from 'vitest';
import { declareAction } from './passive-policy.js';
import type { Entry } from './topology.js';

const queues: Record<string, { exclusive?: boolean; autoDelete?: boolean }> = {
  celery: {}, 'w1@h.celery.pidbox': { exclusive: true, autoDelete: true }, 'f0e1-reply': { autoDelete: true },
};
const queueOf = (name: string) => queues[name];

describe('passive policy', () => {
  const cases: [string, Entry, 'declare' | 'check' | 'skip'][] = [
    ['a durable task queue is checked', { kind: 'queue', spec: { name: 'celery' } }, 'check'],
    ['a dead-letter queue is checked', { kind: 'queue', spec: { name: 'celery.dlq', durable: true } }, 'check'],
    ['an exclusive pidbox queue is declared', { kind: 'queue', spec: { name: 'w1@h.celery.pidbox', durable: false, exclusive: true, autoDelete: true } }, 'declare'],
    ['the rpc reply queue (durable, auto-delete) is declared', { kind: 'queue', spec: { name: 'f0e1-reply', durable: true, autoDelete: true } }, 'declare'],
    ['a durable exchange is checked', { kind: 'exchange', spec: { name: 'celeryev', type: 'topic' } }, 'check'],
    ['the transient pidbox exchange is declared', { kind: 'exchange', spec: { name: 'celery.pidbox', type: 'fanout', durable: false } }, 'declare'],
    ['a task queue binding is left to the admin', { kind: 'binding', spec: { queue: 'celery', exchange: 'celery', routingKey: 'celery' } }, 'skip'],
    ['a binding of an unknown queue is left to the admin', { kind: 'binding', spec: { queue: 'other', exchange: 'x', routingKey: 'k' } }, 'skip'],
    ['a pidbox queue binding is made', { kind: 'binding', spec: { queue: 'w1@h.celery.pidbox', exchange: 'celery.pidbox', routingKey: '' } }, 'declare'],
    ['an exchange binding is left to the admin', { kind: 'exchange-binding', spec: { destination: 'celery_delayed_0', source: 'celery_delayed_1', routingKey: '#' } }, 'skip'],
  ];
  for (const [what, entry, action] of cases) {
    it(`passive: ${what}`, () => expect(declareAction(entry, true, queueOf)).toBe(action));
  }
  it('declaring mode declares everything', () => {
    for (const [, entry] of cases) expect(declareAction(entry, false, queueOf)).toBe('declare');
  });
});
