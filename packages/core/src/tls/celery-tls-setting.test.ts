import { describe, expect, it } from 'vitest';
import { createApp } from '../index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nTUlJQ2VnSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NBbVF3Z2dKZ0FnRUFBb0dC\n-----END PRIVATE KEY-----\n';

describe('TLS settings in inspect conf and report', () => {
  it("show where each file comes from, as Celery's broker_use_ssl, and never a key, passphrase or password", async () => {
    const app = createApp({
      broker: 'memory://', backend: 'memory://', logger: silent,
      amqp: { loginMethod: 'EXTERNAL', password: 'inline-pa55word', tls: { ca: '/etc/ca.pem', cert: { env: 'CERT_PEM' }, key: PEM_KEY, passphrase: 'inline-pa55phrase', servername: 'rabbit.internal' } },
      redis: { tls: { ca: '/etc/redis-ca.pem', verify: 'chain' }, password: { file: '/run/secrets/redis' } },
    });
    const client = createApp({ broker: app.broker, backend: app.backend, logger: silent });
    const worker = app.worker({ hostname: 'w@tls' });
    await worker.start();
    const conf = (await client.control.inspect('conf', { with_defaults: true }, { timeout: 500 }))['w@tls'] as Record<string, unknown>;
    expect(conf.broker_use_ssl).toEqual({
      ca_certs: '/etc/ca.pem', certfile: '$CERT_PEM', keyfile: '********', passphrase: '********',
      server_hostname: 'rabbit.internal', cert_reqs: 'CERT_REQUIRED', check_hostname: true,
    });
    expect(conf.broker_login_method).toBe('EXTERNAL');
    expect(conf.redis_backend_use_ssl).toMatchObject({ ca_certs: '/etc/redis-ca.pem', check_hostname: false, cert_reqs: 'CERT_REQUIRED' });
    const report = (await client.control.inspect('report', {}, { timeout: 500 }))['w@tls'] as { ok: string };
    for (const text of [JSON.stringify(conf), report.ok]) {
      for (const secret of ['inline-pa55word', 'inline-pa55phrase', 'BEGIN PRIVATE KEY', 'TUlJQ2Vn']) expect(text).not.toContain(secret);
    }
    expect(report.ok).toContain('broker_login_method');
    await worker.stop();
    await client.close();
    await app.close();
  });
});
