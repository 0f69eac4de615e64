/**
 * TLS options as Celery shows `broker_use_ssl` / `redis_backend_use_ssl` in `inspect conf`:
 * where each file comes from (a path, `$VARIABLE` or `inline PEM`, never PEM text itself), the
 * verification mode as Python's `ssl.CERT_*`. `keyfile` and `passphrase` are then censored by
 * name, as Celery censors them.
 */
import { describeSource } from './secret-source.js';
import type { PemSource, TlsOptions } from './tls-options.js';

export function celeryTlsSetting(tls: TlsOptions | boolean | undefined, urlUsesTls: boolean): unknown {
  if (tls === undefined || tls === false) return urlUsesTls;
  if (tls === true) return true;
  const where = (s: PemSource | undefined) => (s === undefined ? null : describeSource(s));
  const cas = tls.ca === undefined ? [] : Array.isArray(tls.ca) ? (tls.ca as readonly PemSource[]) : [tls.ca as PemSource];
  return {
    ca_certs: cas.length === 0 ? null : cas.map((c) => describeSource(c)).join(', '),
    certfile: where(tls.cert),
    keyfile: where(tls.key),
    passphrase: tls.passphrase === undefined ? null : 'set',
    server_hostname: tls.servername ?? null,
    cert_reqs: tls.verify === 'none' ? 'CERT_NONE' : 'CERT_REQUIRED',
    check_hostname: (tls.verify ?? 'full') === 'full',
  };
}
