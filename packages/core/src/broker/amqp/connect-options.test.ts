import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../errors/task-errors.js';
import { patchedAmqplib } from './amqplib-compat.js';
import { connectTarget } from './connect-options.js';

const { credentials } = patchedAmqplib().amqp;
const response = (socket: Record<string, unknown>) => (socket.credentials as { response(): Buffer }).response().toString('utf8');

describe('connection targets', () => {
  it('percent-decodes any user name, password and vhost as UTF-8, as Celery does', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 });
    fc.assert(fc.property(text, text, text, (user, password, vhost) => {
      const url = `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@rabbit.internal:5672/${encodeURIComponent(vhost)}`;
      const t = connectTarget(url, {}, 10, credentials, {});
      expect(response(t.socket)).toBe(`\u0000${user}\u0000${password}`);
      expect([t.user, t.vhost]).toEqual([user, vhost]);
      expect(t.secrets).toEqual([]);
    }), { numRuns: 300 });
  });

  it('guest without credentials; / for an empty vhost; // is the vhost "/"', () => {
    expect(connectTarget('amqp://h', {}, 10, credentials, {})).toMatchObject({ user: 'guest', vhost: '/' });
    expect(connectTarget('amqp://u:p@h//', {}, 10, credentials, {}).vhost).toBe('/');
    expect(connectTarget('amqp://u:p@h/%2Fprod', {}, 10, credentials, {}).vhost).toBe('/prod');
  });

  it('a password option replaces the URL password and is scrubbed', () => {
    const t = connectTarget('amqp://app:urlpass@h/v', { password: { env: 'PW' } }, 10, credentials, { PW: 'from-env-$ecret' });
    expect(response(t.socket)).toBe('\u0000app\u0000from-env-$ecret');
    expect(t.secrets).toEqual(['from-env-$ecret']);
  });

  it('TLS options turn amqp:// into TLS on 5671, as broker_use_ssl does; amqps:// is TLS', () => {
    const t = connectTarget('amqp://u:p@rabbit.internal/v', { tls: true }, 10, credentials, {});
    expect(t.url).toMatch(/^amqps:\/\/u:p@rabbit\.internal\/v\?/);
    expect(t.peer).toEqual({ what: 'broker', host: 'rabbit.internal', port: 5671, name: 'rabbit.internal' });
    expect(connectTarget('amqps://h:7000', {}, 10, credentials, {}).tls?.verify).toBe('full');
    expect(connectTarget('amqp://h', {}, 10, credentials, {}).tls).toBeNull();
  });

  it('EXTERNAL needs a client certificate', () => {
    expect(() => connectTarget('amqps://h', { loginMethod: 'EXTERNAL' }, 10, credentials, {})).toThrow(ConfigurationError);
  });
});
