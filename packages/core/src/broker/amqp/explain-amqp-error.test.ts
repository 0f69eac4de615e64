import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessRefusedError, AuthenticationError, TopologyMissingError } from '../../errors/broker-errors.js';
import { explainChannelError, explainConnectError, type AmqpOperation } from './explain-amqp-error.js';
import type { ConnectTarget } from './connect-options.js';

const refused = (kind: string, name: string, vhost = 'prod', user = 'app') =>
  new Error(`Operation failed: X; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to ${kind} '${name}' in vhost '${vhost}' refused for user '${user}'"`);

describe('explaining RabbitMQ refusals', () => {
  const cases: [AmqpOperation, 'queue' | 'exchange', string, string][] = [
    [{ op: 'declare', kind: 'queue', name: 'celery' }, 'queue', 'celery', 'configure'],
    [{ op: 'declare', kind: 'exchange', name: 'celeryev' }, 'exchange', 'celeryev', 'configure'],
    [{ op: 'declare', kind: 'queue', name: 'celery_delayed_3', deadLetterExchange: 'celery_delayed_2' }, 'exchange', 'celery_delayed_2', 'write'],
    [{ op: 'bind-queue', queue: 'q', exchange: 'x' }, 'queue', 'q', 'write'],
    [{ op: 'bind-queue', queue: 'q', exchange: 'x' }, 'exchange', 'x', 'read'],
    [{ op: 'bind-exchange', destination: 'd', source: 's' }, 'exchange', 'd', 'write'],
    [{ op: 'bind-exchange', destination: 'd', source: 's' }, 'exchange', 's', 'read'],
    [{ op: 'publish', exchange: '' }, 'exchange', 'amq.default', 'write'],
    [{ op: 'consume', queue: 'celery' }, 'queue', 'celery', 'read'],
    [{ op: 'purge', queue: 'celery' }, 'queue', 'celery', 'read'],
    [{ op: 'delete', kind: 'queue', name: 'celery' }, 'queue', 'celery', 'configure'],
  ];
  for (const [op, kind, name, permission] of cases) {
    it(`${op.op} refused on ${kind} ${name}: ${permission}`, () => {
      const err = explainChannelError(refused(kind, name), op);
      expect(err).toBeInstanceOf(AccessRefusedError);
      expect((err as AccessRefusedError).access).toMatchObject({ permission, kind, name, vhost: 'prod', user: 'app' });
      expect(err.message).toMatch(new RegExp(`^ACCESS_REFUSED: user 'app' has no ${permission} permission on ${kind} '`));
    });
  }

  it('reads any names back, quotes included', () => {
    // (a name holding "' in vhost '" itself would be ambiguous; RabbitMQ's text cannot tell)
    const name = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes("' in vhost '") && !s.includes("' refused for user '"));
    fc.assert(fc.property(name, name, name, (q, vhost, user) => {
      const err = explainChannelError(refused('queue', q, vhost, user), { op: 'consume', queue: q }) as AccessRefusedError;
      expect(err.access).toEqual({ permission: 'read', kind: 'queue', name: q, vhost, user, operation: `consume queue '${q}'` });
    }));
  });

  it('a missing queue or exchange says what passive mode expects', () => {
    const missing = new Error(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'celery' in vhost 'prod'"`);
    const err = explainChannelError(missing, { op: 'declare', kind: 'queue', name: 'celery' }, true);
    expect(err).toBeInstanceOf(TopologyMissingError);
    expect(err.message).toBe("queue 'celery' does not exist in vhost 'prod': passive mode checks but never declares, so an admin must declare it (durable)");
  });

  it('leaves other errors alone', () => {
    const other = new Error('PRECONDITION_FAILED - inequivalent arg');
    expect(explainChannelError(other, { op: 'consume', queue: 'q' })).toBe(other);
  });

  it('explains a refused login and a refused vhost', () => {
    const target = { peer: { what: 'broker', host: 'h', port: 5672, name: 'h' }, user: 'app', vhost: 'prod', mechanism: 'PLAIN', tls: null } as unknown as ConnectTarget;
    const login = explainConnectError(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN."'), target);
    expect(login).toBeInstanceOf(AuthenticationError);
    expect(login.message).toBe("the broker at h:5672 refused the login of user 'app' (PLAIN): wrong user name or password");
    const vhost = explainConnectError(new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'), target);
    expect(vhost).toBeInstanceOf(AuthenticationError);
    expect(vhost.message).toContain("refused to open vhost 'prod' for user 'app'");
  });
});
