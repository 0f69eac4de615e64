/**
 * What one connection attempt to one URL needs: the URL amqplib dials, the socket options
 * (TLS material read afresh, SASL credentials), and the names error messages quote.
 *
 * Credentials are percent-decoded as UTF-8, as Celery (kombu) decodes them, so a password
 * with `@ : / %` works written as `%40 %3A %2F %25`. A password given in the options (inline,
 * from a file or from the environment) replaces the URL's.
 */
import type * as Amqplib from 'amqplib';
import { ConfigurationError } from '../../errors/task-errors.js';
import type { LoginMethod } from '../../tls/connection-env.js';
import type { TlsPeer } from '../../tls/explain-tls-error.js';
import { loadTls, type LoadedTls } from '../../tls/load-tls.js';
import { readSecret } from '../../tls/secret-source.js';
import type { TlsOptions } from '../../tls/tls-options.js';
import type { AmqpBrokerOptions } from './amqp-broker-options.js';
import { withConnectionParams } from './amqp-url.js';

/** The security part of AmqpBrokerOptions. */
export type AmqpSecurity = Pick<AmqpBrokerOptions, 'tls' | 'loginMethod' | 'password'>;

export interface ConnectTarget {
  url: string;
  socket: Record<string, unknown>;
  tls: LoadedTls | null;
  peer: TlsPeer;
  user: string;
  vhost: string;
  mechanism: LoginMethod;
  /** Secrets read for this attempt (password, passphrase), to scrub from messages. */
  secrets: string[];
}

/** kombu's `unquote`: percent-decoding as UTF-8, leaving what is not valid percent-encoding as it is. */
export function unquote(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** True when connections to this URL use TLS: `amqps://`, or any `tls` option (as Celery's `broker_use_ssl`). */
export function usesTls(url: string, tls: TlsOptions | boolean | undefined): boolean {
  return /^amqps:/i.test(url) || (tls !== undefined && tls !== false);
}

export function connectTarget(
  rawUrl: string,
  security: AmqpSecurity,
  heartbeat: number,
  credentials: typeof Amqplib.credentials,
  env: NodeJS.ProcessEnv = process.env,
): ConnectTarget {
  const secure = usesTls(rawUrl, security.tls);
  // amqp:// with TLS options is TLS, as in Celery; amqplib's default port is then 5671
  const url = withConnectionParams(secure ? rawUrl.replace(/^amqp:/i, 'amqps:') : rawUrl, heartbeat);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError(`the broker URL is not a valid URL (write special characters in the user name and password percent-encoded: @ as %40, : as %3A, / as %2F, % as %25)`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port) || (secure ? 5671 : 5672);
  const anonymous = parsed.username === '' && parsed.password === '';
  const user = anonymous ? 'guest' : unquote(parsed.username);
  const secrets: string[] = [];
  let password = anonymous ? 'guest' : unquote(parsed.password);
  if (security.password !== undefined) {
    password = readSecret(security.password, 'broker password', env);
    secrets.push(password);
  }
  const mechanism = security.loginMethod ?? 'PLAIN';
  const tls = secure ? loadTls(typeof security.tls === 'object' ? security.tls : {}, env) : null;
  if (tls?.options.passphrase) secrets.push(tls.options.passphrase);
  if (mechanism === 'EXTERNAL' && !tls?.options.cert) {
    throw new ConfigurationError('the EXTERNAL login method authenticates with the client certificate: give tls.cert and tls.key (and use amqps://)');
  }
  const socket: Record<string, unknown> = {
    ...(tls?.options ?? {}),
    credentials: mechanism === 'EXTERNAL' ? credentials.external() : mechanism === 'AMQPLAIN' ? credentials.amqplain(user, password) : credentials.plain(user, password),
  };
  return {
    url, socket, tls,
    peer: { what: 'broker', host, port, name: tls?.options.servername ?? host },
    user: mechanism === 'EXTERNAL' ? '(client certificate)' : user,
    vhost: unquote(parsed.pathname.slice(1)) || '/',
    mechanism,
    secrets,
  };
}
