/**
 * One line for a failed TLS handshake, naming the check that failed and what to change:
 * Node reports them as OpenSSL codes (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`,
 * `ERR_TLS_CERT_ALTNAME_INVALID`, `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`...).
 */
import { TlsError } from '../errors/broker-errors.js';
import type { LoadedTls } from './load-tls.js';

export interface TlsPeer {
  /** `broker`, `Redis`: what the sentence calls the server. */
  what: string;
  host: string;
  port: number;
  /** The name the certificate was checked against (servername or the URL's host). */
  name: string;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_CHAIN_TOO_LONG', 'INVALID_CA',
]);

/** A TlsError for a handshake failure, or null when `err` is not about TLS. */
export function explainTlsError(err: Error, tls: LoadedTls, peer: TlsPeer): TlsError | null {
  if (err instanceof TlsError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const at = `the ${peer.what} at ${peer.host}:${peer.port}`;
  const theirs = `the certificate of ${at}`;
  const line = (text: string) => new TlsError(`TLS: ${text}`, { cause: err });
  if (UNTRUSTED.has(code)) return line(`${theirs} is not signed by ${tls.caLabel} (${code}); give the CA that signed it as tls.ca`);
  if (code === 'CERT_HAS_EXPIRED') return line(`${theirs} has expired (CERT_HAS_EXPIRED)`);
  if (code === 'CERT_NOT_YET_VALID') return line(`${theirs} is not valid yet (CERT_NOT_YET_VALID); check the clocks`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (err as { cert?: { subjectaltname?: string } }).cert?.subjectaltname ?? 'no subject alternative names';
    return line(`${theirs} is not valid for the name '${peer.name}' (it names ${names}); connect by one of those names or set tls.servername (ERR_TLS_CERT_ALTNAME_INVALID)`);
  }
  if (/CERTIFICATE_REQUIRED/.test(code) || /certificate required/i.test(err.message)) {
    return line(`${at} requires a client certificate: set tls.cert and tls.key (${code || 'certificate required'})`);
  }
  if (/ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|ALERT_UNSUPPORTED_CERTIFICATE|ALERT_CERTIFICATE_(?:UNKNOWN|REVOKED|EXPIRED)|ALERT_ACCESS_DENIED|ALERT_DECRYPT_ERROR/.test(code)) {
    const cert = tls.certLabel === null ? 'no client certificate' : `the client certificate ${tls.certLabel}`;
    return line(`${at} refused ${cert} (${code}): it must be signed by a CA the ${peer.what} trusts`);
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER_FAILURE/.test(code)) {
    return line(`${at} does not answer TLS (${code}): is that a plain (non-TLS) port?`);
  }
  if (/^ERR_SSL_|^ERR_TLS_/.test(code) || code === 'EPROTO') return line(`the handshake with ${at} failed: ${err.message.replace(/^error:[0-9A-F]+:/, '')} (${code})`);
  return null;
}
