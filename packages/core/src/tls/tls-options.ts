/**
 * TLS settings shared by the RabbitMQ broker and the Redis backend (Celery's `broker_use_ssl`
 * and `redis_backend_use_ssl`), and where secrets may come from.
 */

/**
 * A secret (a password, a key passphrase): the value itself, `{ file }` to read it from a file
 * (a trailing newline is dropped, as from `echo secret > file`), or `{ env }` to read it from
 * an environment variable when the connection opens.
 */
export type SecretSource = string | { file: string } | { env: string };

/**
 * PEM data: the PEM text itself (anything containing `-----BEGIN`), a path to a PEM file, a
 * Buffer, `{ file }`, or `{ env }` (an environment variable holding PEM text or a file path).
 */
export type PemSource = string | Buffer | { file: string } | { env: string };

/** How much of the server's certificate is checked. */
export type TlsVerify = 'full' | 'chain' | 'none';

export interface TlsOptions {
  /**
   * CA certificates the server's certificate must chain to (one source or several; a file may
   * hold a bundle). Given, they replace Node's bundled public CAs.
   * @defaultValue Node's bundled public CAs
   */
  ca?: PemSource | readonly PemSource[];
  /** Client certificate (with its chain) for mutual TLS; needs `key`. */
  cert?: PemSource;
  /** Private key of `cert`, PEM (PKCS#1, PKCS#8 or SEC1), possibly encrypted (then give `passphrase`). */
  key?: PemSource;
  /** Passphrase of an encrypted `key`. */
  passphrase?: SecretSource;
  /**
   * The name the server's certificate must carry, also sent as SNI: set it when connecting by IP
   * address or through an alias the certificate does not name.
   * @defaultValue the host of the URL
   */
  servername?: string;
  /**
   * `full` checks the chain and the host name; `chain` checks only that a trusted CA signed the
   * certificate; `none` checks nothing and logs a warning on every connect (test setups only).
   * Verification is never turned off any other way.
   * @defaultValue 'full'
   */
  verify?: TlsVerify;
  /** Lowest TLS version offered. @defaultValue 'TLSv1.2' */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}
