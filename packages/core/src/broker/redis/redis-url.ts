/**
 * Broker URLs as kombu reads them: `redis://[user:pass@]host[:port][/db]`, `rediss://...` (TLS)
 * and `sentinel://[:pass@]host:26379[;sentinel://host2:26379...][/db]` (the master's name comes
 * from the `masterName` option, kombu's `master_name` transport option). Several URLs may be
 * given joined by `;`; for redis:// only the first is used. Pure.
 */
import { ConfigurationError } from '../../errors/task-errors.js';

export interface RedisBrokerUrl {
  scheme: 'redis' | 'rediss' | 'sentinel';
  /** The first URL, for ioredis (redis:// and rediss://). */
  url: string;
  db: number;
  /** Sentinel addresses (sentinel:// only). */
  sentinels: { host: string; port: number }[];
  username?: string;
  password?: string;
  /** `?master_name=` on a sentinel URL (a Celeriac convenience for the CLI; kombu takes it as a transport option). */
  masterName?: string;
  /** The URL with the password hidden. */
  displayUrl: string;
}

export function parseRedisBrokerUrl(urls: string | readonly string[]): RedisBrokerUrl {
  const list = (typeof urls === 'string' ? [urls] : [...urls]).flatMap((u) => u.split(';')).map((u) => u.trim()).filter(Boolean);
  const first = list[0];
  if (!first) throw new ConfigurationError('a Redis broker needs a URL: redis://host:6379/0');
  const parsed = parseOne(first);
  const out: RedisBrokerUrl = {
    scheme: parsed.scheme,
    url: first,
    db: parsed.db,
    sentinels: [],
    displayUrl: list.map(hidePassword).join(';'),
  };
  if (parsed.username) out.username = parsed.username;
  if (parsed.password) out.password = parsed.password;
  if (parsed.scheme === 'sentinel') {
    for (const u of list) {
      const p = parseOne(u);
      if (p.scheme !== 'sentinel') throw new ConfigurationError(`sentinel URLs cannot be mixed with ${p.scheme}:// ones: ${hidePassword(u)}`);
      out.sentinels.push({ host: p.host, port: p.port });
      // the db and password may be written on any of them (kombu reads the first)
      if (out.password === undefined && p.password) out.password = p.password;
      if (out.masterName === undefined && p.masterName) out.masterName = p.masterName;
    }
  }
  return out;
}

function parseOne(text: string): { scheme: RedisBrokerUrl['scheme']; host: string; port: number; db: number; username: string; password: string; masterName: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(`not a Redis broker URL: ${hidePassword(text)}`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'redis' && scheme !== 'rediss' && scheme !== 'sentinel') {
    throw new ConfigurationError(`not a Redis broker URL (redis://, rediss:// or sentinel://): ${hidePassword(text)}`);
  }
  const path = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  const dbText = path === '' ? url.searchParams.get('db') ?? '0' : path;
  if (!/^\d{1,5}$/.test(dbText)) throw new ConfigurationError(`the Redis database must be a number, not ${JSON.stringify(dbText)} in ${hidePassword(text)}`);
  return {
    scheme,
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : scheme === 'sentinel' ? 26379 : 6379,
    db: Number(dbText),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    masterName: url.searchParams.get('master_name') ?? '',
  };
}

function hidePassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/)([^@/]*?):([^@/]*)@/i, (_m, s: string, user: string) => `${s}${user}:***@`);
}
