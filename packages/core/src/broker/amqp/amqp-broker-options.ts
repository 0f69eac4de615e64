/** Options of the RabbitMQ broker (`createApp({ amqp: ... })` sets all but `url`). */
import type { LoginMethod } from '../../tls/connection-env.js';
import type { SecretSource, TlsOptions } from '../../tls/tls-options.js';

export interface AmqpBrokerOptions {
  /**
   * One URL, or several for failover between cluster nodes: an array, or joined with `;` as
   * Celery writes them. `heartbeat` and `frameMax` (131072 unless given; RabbitMQ 4.1 refuses
   * less than 8192) may be set as query parameters.
   */
  url: string | readonly string[];
  /** Heartbeat interval in seconds. @defaultValue 10 */
  heartbeat?: number;
  /** Publishes kept while disconnected; more fail with `BufferFullError`. @defaultValue 10000 */
  maxBuffer?: number;
  /** Bytes of message bodies kept while disconnected; more fail with `BufferFullError`. @defaultValue 67108864 (64 MiB) */
  maxBufferBytes?: number;
  /** First reconnect delay. @defaultValue 100 */
  reconnectBaseMs?: number;
  /** Longest reconnect delay. @defaultValue 2000 */
  reconnectMaxMs?: number;
  /** Give up the first `connect()` after this long (later reconnects never give up). @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** Shown as the connection name in RabbitMQ's tools. @defaultValue 'celeriac' */
  connectionName?: string;
  /** Channel-wide QoS like Celery; must be false for quorum queues. @defaultValue true */
  globalQos?: boolean;
  /**
   * TLS settings (CA, client certificate and key, passphrase, server name, verification), as
   * Celery's `broker_use_ssl`. `amqps://` URLs always use TLS; given here (or `true`), TLS is
   * used for `amqp://` URLs too (port 5671 unless the URL names one).
   * @defaultValue TLS with Node's public CAs for amqps://, none for amqp://
   */
  tls?: TlsOptions | boolean;
  /**
   * SASL mechanism (Celery's `broker_login_method`). `EXTERNAL` logs in with the client
   * certificate (RabbitMQ's rabbitmq_auth_mechanism_ssl plugin); the URL then needs no user.
   * @defaultValue 'PLAIN'
   */
  loginMethod?: LoginMethod;
  /** The password, in place of the URL's: inline, `{ file }` or `{ env }`. @defaultValue the URL's password */
  password?: SecretSource;
  /**
   * Never declare durable queues and exchanges, only check that they exist (passive declares,
   * which need no permission), for users without `configure` rights; bindings of shared queues
   * are left to the admin. Per-connection queues (remote control, replies, event receivers) are
   * still declared. @defaultValue false
   */
  passive?: boolean;
}
