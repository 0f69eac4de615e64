/**
 * `rediss://` for the Redis result backend, on private Redis servers with only a TLS port
 * (6395 and, requiring client certificates, 6396) and certificates made by the test: results
 * stored and read over TLS, a wrong CA or server name failing at connect in one line (and every
 * later call failing with it, never waiting for ever), mutual TLS, and a password with special
 * characters percent-encoded in the URL or read from a file.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TlsError, createApp, type AppOptions, type CeleriacApp } from '../../src/index.js';
import { certSet, type CertPair, type CertSet } from '../helpers/certs.js';
import { silent } from '../helpers/env.js';
import { startTlsRedis, type TlsRedis } from '../helpers/tls-redis.js';

const PASSWORD = 'p@ss:w/rd%ü';
let certs: CertSet;
let ca: CertPair;
let other: CertPair;
let client: CertPair;
let redis: TlsRedis;
let mutual: TlsRedis;
const apps: CeleriacApp[] = [];

function app(backend: string, options: AppOptions = {}): CeleriacApp {
  const a = createApp({ broker: 'memory://', backend, logger: silent, ...options });
  apps.push(a);
  return a;
}

async function roundTrip(a: CeleriacApp): Promise<unknown> {
  a.task('redis.add', (x: number, y: number) => x + y);
  const w = a.worker({ concurrency: 1 });
  await w.start();
  try {
    return await (await a.sendTask('redis.add', [19, 23])).get({ timeout: 15_000 });
  } finally {
    await w.stop();
  }
}

beforeAll(async () => {
  certs = certSet('tls-redis');
  ca = await certs.ca('ca');
  other = await certs.ca('other');
  const server = await certs.issue(ca, 'redis', 'redis.test', ['DNS:redis.test', 'DNS:localhost']);
  client = await certs.issue(ca, 'client', 'celeriac-client');
  redis = await startTlsRedis({ port: 6395, ca: ca.cert, server, password: PASSWORD });
  mutual = await startTlsRedis({ port: 6396, ca: ca.cert, server, requireClientCert: true });
}, 60_000);

afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  await redis?.stop();
  await mutual?.stop();
  certs?.remove();
});

const url = (port: number, password = PASSWORD) => `rediss://:${encodeURIComponent(password)}@127.0.0.1:${port}/0`;

describe('rediss:// result backend', () => {
  it('stores and reads results over TLS, with a percent-encoded password in the URL', async () => {
    const a = app(url(6395), { redis: { tls: { ca: ca.cert, servername: 'localhost' } } });
    await a.connect();
    expect(await roundTrip(a)).toBe(42);
  });

  it('takes the password from a file, and TLS settings from CELERIAC_BACKEND_* variables', async () => {
    const file = certs.path('redis.pass');
    writeFileSync(file, `${PASSWORD}\n`);
    process.env.CELERIAC_BACKEND_TLS_CA = ca.cert;
    process.env.CELERIAC_BACKEND_TLS_SERVERNAME = 'redis.test';
    process.env.CELERIAC_BACKEND_PASSWORD_FILE = file;
    try {
      const a = app('rediss://127.0.0.1:6395/0');
      expect(await roundTrip(a)).toBe(42);
    } finally {
      delete process.env.CELERIAC_BACKEND_TLS_CA;
      delete process.env.CELERIAC_BACKEND_TLS_SERVERNAME;
      delete process.env.CELERIAC_BACKEND_PASSWORD_FILE;
    }
  });

  it('refuses a wrong CA and a wrong server name at connect, in one line; later calls fail with the same error', async () => {
    const wrongCa = app(url(6395), { redis: { tls: { ca: other.cert, servername: 'localhost' } } });
    const t0 = Date.now();
    const err = await wrongCa.connect().catch((e: unknown) => e as Error);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(TlsError);
    expect(err!.message).toBe(`TLS: the certificate of the Redis at 127.0.0.1:6395 is not signed by the CA in ${other.cert} (SELF_SIGNED_CERT_IN_CHAIN); give the CA that signed it as tls.ca`);
    await expect(wrongCa.backend.get('some-id')).rejects.toBe(err);
    const wrongName = app(url(6395), { redis: { tls: { ca: ca.cert } } });
    const err2 = await wrongName.connect().catch((e: unknown) => e as Error);
    expect(err2!.message).toContain("is not valid for the name '127.0.0.1' (it names DNS:redis.test, DNS:localhost)");
    expect(err2!.message).not.toContain(PASSWORD);
    expect(err2!.message).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('mutual TLS: a Redis that requires a client certificate', async () => {
    const tls = { ca: ca.cert, servername: 'localhost' };
    const withCert = app(`rediss://127.0.0.1:${mutual.port}/0`, { redis: { tls: { ...tls, cert: client.cert, key: client.key } } });
    expect(await roundTrip(withCert)).toBe(42);
    const without = app(`rediss://127.0.0.1:${mutual.port}/0`, { redis: { tls } });
    const err = await Promise.race([
      without.connect().then(() => without.backend.get('x')).then(() => null, (e: unknown) => e as Error),
      new Promise<Error>((r) => setTimeout(() => r(new Error('no error within 10 s')), 10_000)),
    ]);
    expect(err).toBeInstanceOf(TlsError);
    expect(err!.message).toBe(`TLS: the Redis at 127.0.0.1:${mutual.port} requires a client certificate: set tls.cert and tls.key (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)`);
  });
});
