import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RABBIT_ROLES, escapeName, rabbitPermissions, setPermissionsCommand } from './permissions.js';

const UUID = '0b9d6a3c-4f1e-4c8a-9a51-1d2e3f405162';
// JavaScript's regular expressions read these the way RabbitMQ's (PCRE) do
const matches = (re: string, name: string) => new RegExp(re).test(name);

describe('permissions per role', () => {
  it('escapes any name so it matches itself only', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (name) => {
      const re = `^${escapeName(name)}$`;
      expect(matches(re, name)).toBe(true);
      expect(matches(re, `${name}x`)).toBe(false);
      expect(matches(re, `x${name}`)).toBe(false);
    }));
  });

  it("a worker may configure, write and read its own names with Celery's defaults, and nothing next to them", () => {
    const p = rabbitPermissions('worker');
    for (const name of ['celery', 'celery.dlq', 'celeryev', 'celery.pidbox', 'reply.celery.pidbox', `w1@host.celery.pidbox`, `${UUID}.reply.celery.pidbox`, UUID, 'celery_delayed_27', 'celery_delayed_delivery']) {
      expect([name, matches(p.configure, name)]).toEqual([name, true]);
    }
    for (const name of ['celeryX', 'xcelery', 'other', 'celery.pidboxes', 'amq.default', 'celery_delayed_', 'celeryev.x']) {
      expect([name, matches(p.configure, name)]).toEqual([name, false]);
    }
    expect(matches(p.write, 'amq.default')).toBe(true);
    expect(matches(p.read, 'celery.dlq')).toBe(false);
  });

  it('passive roles may configure only what lives as long as a connection', () => {
    const reply = '^([0-9a-f-]{36})$';
    expect(rabbitPermissions('producer', { passive: true })).toEqual({ configure: reply, write: '^(amq\\.default)$', read: reply });
    expect(rabbitPermissions('producer', { passive: true, rpc: false })).toEqual({ configure: '^$', write: '^(amq\\.default)$', read: '^$' });
    const worker = rabbitPermissions('worker', { passive: true });
    expect(matches(worker.configure, 'celery')).toBe(false);
    expect(matches(worker.configure, 'celeryev')).toBe(false);
    expect(matches(worker.configure, 'w1@h.celery.pidbox')).toBe(true);
  });

  it('follows generated queue, control and event names', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    fc.assert(fc.property(name, name, name, (queue, ns, ev) => {
      fc.pre(queue !== ev && !queue.startsWith(`${ev}.`));
      const p = rabbitPermissions('worker', { queues: [queue], controlExchange: ns, eventExchange: ev });
      expect(matches(p.read, queue)).toBe(true);
      expect(matches(p.configure, `${queue}.dlq`)).toBe(true);
      expect(matches(p.configure, `${queue}x.dlq`)).toBe(false);
      expect(matches(p.write, ev)).toBe(true);
      expect(matches(p.read, `host.${ns}.pidbox`)).toBe(true);
      const m = rabbitPermissions('monitor', { queues: [queue], controlExchange: ns, eventExchange: ev });
      expect(matches(m.read, `${ev}.${UUID}`)).toBe(true);
      expect(matches(m.write, 'amq.default')).toBe(false);
    }));
  });

  it('prints a rabbitmqctl command quoted for a shell, for every role', () => {
    for (const role of RABBIT_ROLES) expect(setPermissionsCommand(role, "o'brien", 'prod')).toMatch(/^rabbitmqctl set_permissions -p 'prod' 'o'\\''brien' '\^.*\$' '\^.*\$' '\^.*\$'$/);
  });
});
