/**
 * Connection settings from environment variables (and so from the CLI flags, which set them):
 * `CELERIAC_BROKER_*` for RabbitMQ and `CELERIAC_BACKEND_*` for the Redis result backend.
 * Pure: the environment is an argument. Options set in code win over these, field by field.
 *
 * | variable (after the prefix)  | meaning |
 * |---|---|
 * | `_TLS_CA`, `_TLS_CERT`, `_TLS_KEY` | a file path or the PEM text (`\n` accepted for line breaks) |
 * | `_TLS_PASSPHRASE`, `_TLS_PASSPHRASE_FILE` | the key's passphrase, or a file holding it |
 * | `_TLS_SERVERNAME` | the name the server certificate must carry |
 * | `_TLS_VERIFY` | `full`, `chain` or `none` |
 * | `_TLS` | `1` / `true`: TLS with the defaults even on an `amqp://` / `redis://` URL |
 * | `_PASSWORD`, `_PASSWORD_FILE` | the password, in place of the URL's |
 * | `_LOGIN_METHOD` | broker only: `PLAIN`, `AMQPLAIN` or `EXTERNAL` |
 * | `_PASSIVE` | broker only: `1` / `true` for passive mode |
 *
 * Nothing here holds a secret's value: a password or passphrase from the environment stays a
 * reference (`{ env: 'CELERIAC_BROKER_PASSWORD' }`) until the connection opens, so printing the
 * app's options never prints it.
 */
import { ConfigurationError } from '../errors/task-errors.js';
import type { SecretSource, TlsOptions, TlsVerify } from './tls-options.js';

export const BROKER_ENV_PREFIX = 'CELERIAC_BROKER';
export const BACKEND_ENV_PREFIX = 'CELERIAC_BACKEND';

export type LoginMethod = 'PLAIN' | 'AMQPLAIN' | 'EXTERNAL';

export interface ConnectionEnv {
  tls?: TlsOptions;
  password?: SecretSource;
  loginMethod?: LoginMethod;
  passive?: boolean;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

export function connectionFromEnv(prefix: string, env: NodeJS.ProcessEnv): ConnectionEnv {
  const get = (name: string): string | undefined => {
    const v = env[`${prefix}_${name}`];
    return v === undefined || v === '' ? undefined : v;
  };
  const out: ConnectionEnv = {};
  const tls: TlsOptions = {};
  const pem = (name: string) => ({ env: `${prefix}_${name}` });
  if (get('TLS_CA')) tls.ca = pem('TLS_CA');
  if (get('TLS_CERT')) tls.cert = pem('TLS_CERT');
  if (get('TLS_KEY')) tls.key = pem('TLS_KEY');
  const passphraseFile = get('TLS_PASSPHRASE_FILE');
  if (get('TLS_PASSPHRASE')) tls.passphrase = { env: `${prefix}_TLS_PASSPHRASE` };
  else if (passphraseFile) tls.passphrase = { file: passphraseFile };
  const servername = get('TLS_SERVERNAME');
  if (servername) tls.servername = servername;
  const verify = get('TLS_VERIFY');
  if (verify) {
    if (!/^(full|chain|none)$/.test(verify)) throw new ConfigurationError(`${prefix}_TLS_VERIFY must be full, chain or none, not '${verify}'`);
    tls.verify = verify as TlsVerify;
  }
  const on = get('TLS');
  if (Object.keys(tls).length > 0 || (on !== undefined && TRUE.test(on))) out.tls = tls;
  if (on !== undefined && !TRUE.test(on) && !FALSE.test(on)) throw new ConfigurationError(`${prefix}_TLS must be 1 or 0, not '${on}'`);
  const passwordFile = get('PASSWORD_FILE');
  if (get('PASSWORD')) out.password = { env: `${prefix}_PASSWORD` };
  else if (passwordFile) out.password = { file: passwordFile };
  const login = get('LOGIN_METHOD')?.toUpperCase();
  if (login) {
    if (login !== 'PLAIN' && login !== 'AMQPLAIN' && login !== 'EXTERNAL') throw new ConfigurationError(`${prefix}_LOGIN_METHOD must be PLAIN, AMQPLAIN or EXTERNAL, not '${login}'`);
    out.loginMethod = login;
  }
  const passive = get('PASSIVE');
  if (passive !== undefined) {
    if (!TRUE.test(passive) && !FALSE.test(passive)) throw new ConfigurationError(`${prefix}_PASSIVE must be 1 or 0, not '${passive}'`);
    out.passive = TRUE.test(passive);
  }
  return out;
}

/**
 * Code's TLS and password settings over the environment's: each field set in code wins; TLS fields merge one
 * by one, so code can give the CA and the environment the key. `tls: false` in code turns TLS
 * settings from the environment off.
 */
export function withEnv<T extends { tls?: TlsOptions | boolean; password?: SecretSource }>(code: T, fromEnv: ConnectionEnv): T {
  const out: T = { ...code };
  if (fromEnv.tls && code.tls !== false) {
    const own = typeof code.tls === 'object' ? code.tls : {};
    out.tls = { ...fromEnv.tls, ...stripUndefined(own) };
  }
  if (code.password === undefined && fromEnv.password !== undefined) out.password = fromEnv.password;
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The broker's connection settings: code's, then `CELERIAC_BROKER_*` for what code leaves unset. */
export function brokerSettings<T extends { tls?: TlsOptions | boolean; password?: SecretSource; loginMethod?: LoginMethod; passive?: boolean }>(code: T, env: NodeJS.ProcessEnv): T {
  const fromEnv = connectionFromEnv(BROKER_ENV_PREFIX, env);
  const out = withEnv(code, fromEnv);
  if (out.loginMethod === undefined && fromEnv.loginMethod !== undefined) out.loginMethod = fromEnv.loginMethod;
  if (out.passive === undefined && fromEnv.passive !== undefined) out.passive = fromEnv.passive;
  return out;
}

/** The Redis backend's connection settings: code's, then `CELERIAC_BACKEND_*` for what code leaves unset. */
export function backendSettings<T extends { tls?: TlsOptions | boolean; password?: SecretSource }>(code: T, env: NodeJS.ProcessEnv): T {
  return withEnv(code, connectionFromEnv(BACKEND_ENV_PREFIX, env));
}
