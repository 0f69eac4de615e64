/**
 * A private Redis with only a TLS port (6395-6399: the chaos suite uses 6391), certificates
 * from certs.ts, an optional password and client-certificate requirement. Stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { CertPair } from './certs.js';

export interface TlsRedis {
  port: number;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startTlsRedis(options: { port: number; ca: string; server: CertPair; password?: string; requireClientCert?: boolean }): Promise<TlsRedis> {
  const args = [
    '--port', '0', '--tls-port', String(options.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--tls-cert-file', options.server.cert, '--tls-key-file', options.server.key, '--tls-ca-cert-file', options.ca,
    '--tls-auth-clients', options.requireClientCert ? 'yes' : 'no',
  ];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on TLS port ${options.port} did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: options.port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
