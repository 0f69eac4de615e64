import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/task-errors.js';
import { backendSettings, brokerSettings, connectionFromEnv } from './connection-env.js';

describe('connection settings from the environment', () => {
  it('reads every CELERIAC_BROKER_* variable, keeping secrets as references', () => {
    const env = {
      CELERIAC_BROKER_TLS_CA: '/etc/ca.pem', CELERIAC_BROKER_TLS_CERT: '/etc/c.pem', CELERIAC_BROKER_TLS_KEY: '/etc/c.key',
      CELERIAC_BROKER_TLS_PASSPHRASE: 'pp', CELERIAC_BROKER_TLS_SERVERNAME: 'rabbit.internal', CELERIAC_BROKER_TLS_VERIFY: 'chain',
      CELERIAC_BROKER_PASSWORD_FILE: '/run/secrets/pw', CELERIAC_BROKER_LOGIN_METHOD: 'external', CELERIAC_BROKER_PASSIVE: 'true',
    };
    expect(connectionFromEnv('CELERIAC_BROKER', env)).toEqual({
      tls: {
        ca: { env: 'CELERIAC_BROKER_TLS_CA' }, cert: { env: 'CELERIAC_BROKER_TLS_CERT' }, key: { env: 'CELERIAC_BROKER_TLS_KEY' },
        passphrase: { env: 'CELERIAC_BROKER_TLS_PASSPHRASE' }, servername: 'rabbit.internal', verify: 'chain',
      },
      password: { file: '/run/secrets/pw' },
      loginMethod: 'EXTERNAL',
      passive: true,
    });
    expect(JSON.stringify(connectionFromEnv('CELERIAC_BROKER', { CELERIAC_BROKER_PASSWORD: 'hunter22' }))).not.toContain('hunter22');
  });

  it('is empty without variables, turns TLS on with _TLS=1 alone, and ignores empty values', () => {
    expect(connectionFromEnv('CELERIAC_BROKER', {})).toEqual({});
    expect(connectionFromEnv('CELERIAC_BROKER', { CELERIAC_BROKER_TLS_CA: '' })).toEqual({});
    expect(connectionFromEnv('CELERIAC_BACKEND', { CELERIAC_BACKEND_TLS: '1' })).toEqual({ tls: {} });
    expect(connectionFromEnv('CELERIAC_BACKEND', { CELERIAC_BACKEND_TLS: '0' })).toEqual({});
  });

  it('refuses values it does not know, naming the variable', () => {
    for (const [name, value] of [['TLS_VERIFY', 'off'], ['LOGIN_METHOD', 'KERBEROS'], ['PASSIVE', 'maybe'], ['TLS', 'yes please']]) {
      expect(() => connectionFromEnv('CELERIAC_BROKER', { [`CELERIAC_BROKER_${name}`]: value })).toThrow(ConfigurationError);
      expect(() => connectionFromEnv('CELERIAC_BROKER', { [`CELERIAC_BROKER_${name}`]: value })).toThrow(`CELERIAC_BROKER_${name}`);
    }
  });

  it('code wins field by field; the environment fills in the rest; tls: false in code turns TLS off', () => {
    const field = fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined });
    fc.assert(fc.property(field, field, field, field, fc.boolean(), (codeCa, codeName, envCa, envName, passive) => {
      const env: NodeJS.ProcessEnv = { CELERIAC_BROKER_PASSIVE: passive ? '1' : '0' };
      if (envCa !== undefined) env.CELERIAC_BROKER_TLS_CA = envCa;
      if (envName !== undefined) env.CELERIAC_BROKER_TLS_SERVERNAME = envName;
      const code = { tls: { ...(codeCa !== undefined ? { ca: codeCa } : {}), ...(codeName !== undefined ? { servername: codeName } : {}) }, passive: !passive };
      const out = brokerSettings(code, env);
      expect(out.passive).toBe(!passive);
      const tls = out.tls as { ca?: unknown; servername?: string };
      expect(tls.ca).toEqual(codeCa ?? (envCa !== undefined ? { env: 'CELERIAC_BROKER_TLS_CA' } : undefined));
      expect(tls.servername).toBe(codeName ?? envName);
      expect(brokerSettings({ tls: false }, env).tls).toBe(false);
    }));
  });

  it('the backend reads CELERIAC_BACKEND_*, not the broker variables', () => {
    const env = { CELERIAC_BROKER_TLS_CA: '/b.pem', CELERIAC_BACKEND_PASSWORD: 'x', CELERIAC_BACKEND_TLS_VERIFY: 'none' };
    expect(backendSettings({}, env)).toEqual({ tls: { verify: 'none' }, password: { env: 'CELERIAC_BACKEND_PASSWORD' } });
    expect(brokerSettings({}, env)).toEqual({ tls: { ca: { env: 'CELERIAC_BROKER_TLS_CA' } } });
  });
});
