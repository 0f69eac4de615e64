/**
 * Before a command connects, one TCP connect per broker URL: a closed port or an unknown host
 * fails in milliseconds with one clear line instead of the connection retry loop's timeout.
 */
import { connect } from 'node:net';
import { CliError, EXIT } from './cli-error.js';

interface Endpoint {
  host: string;
  port: number;
}

/** The host and port of each amqp(s):// and redis(s):// URL (`;`-joined lists too); other schemes are not probed. */
export function brokerEndpoints(broker: unknown): Endpoint[] {
  const urls = typeof broker === 'string' ? broker.split(';') : Array.isArray(broker) ? broker.filter((u): u is string => typeof u === 'string') : [];
  const out: Endpoint[] = [];
  for (const raw of urls) {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      continue; // the broker itself reports a malformed URL
    }
    const defaultPort = ({ 'amqp:': 5672, 'amqps:': 5671, 'redis:': 6379, 'rediss:': 6379 } as Record<string, number>)[url.protocol];
    if (defaultPort === undefined) continue;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
    out.push({ host, port: url.port ? Number(url.port) : defaultPort });
  }
  return out;
}

function tryConnect({ host, port }: Endpoint, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'connection refused' : err.code === 'ENOTFOUND' ? `unknown host ${host}` : (err.code ?? err.message)));
  });
}

/** Resolves when at least one endpoint accepts a TCP connection; otherwise throws a one-line CliError. */
export async function probeBroker(broker: unknown, displayUrl: string, timeoutMs = 5000): Promise<void> {
  const endpoints = brokerEndpoints(broker);
  if (endpoints.length === 0) return;
  const problems = await Promise.all(endpoints.map((e) => tryConnect(e, timeoutMs)));
  if (problems.some((p) => p === null)) return;
  throw new CliError(`cannot reach the broker at ${displayUrl}: ${problems[0]!}`, EXIT.UNAVAILABLE);
}
