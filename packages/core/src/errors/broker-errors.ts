import { CeleriacError, ErrorCode } from './base-error.js';

/** The broker connection is closed (by `close()`, or it could not be established). */
export class ConnectionClosedError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CONNECTION_CLOSED, message, options);
  }
}

/** The broker refused a publish (nack, unroutable mandatory message, channel error). */
export class PublishError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.PUBLISH_FAILED, message, options);
  }
}

/** The broker is unreachable and the offline publish buffer is full (by count or by bytes): nothing was sent. */
export class BufferFullError extends CeleriacError {
  readonly limit: number;
  readonly unit: 'messages' | 'bytes';
  constructor(limit: number, unit: 'messages' | 'bytes' = 'messages') {
    super(ErrorCode.BUFFER_FULL, `broker unavailable and the publish buffer is full (${limit} ${unit}); nothing was sent`);
    this.limit = limit;
    this.unit = unit;
  }
}

/** `ack()` / `reject()` was called on a delivery that was already settled. */
export class DeliveryAlreadySettledError extends CeleriacError {
  constructor(how: string) {
    super(ErrorCode.ALREADY_SETTLED, `delivery already settled (${how})`);
  }
}

/**
 * A TLS problem, in one line that names the file or the check: a CA, certificate or key that
 * cannot be read or used, or a verification the handshake failed (unknown CA, wrong host name,
 * expired certificate, client certificate refused by the broker).
 */
export class TlsError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.TLS, message, options);
  }
}

/** The server refused the login (user name, password, SASL mechanism) or access to the vhost. */
export class AuthenticationError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.AUTHENTICATION, message, options);
  }
}

/** A RabbitMQ permission: `configure` creates and deletes, `write` publishes and binds into, `read` consumes and binds from. */
export type Permission = 'configure' | 'write' | 'read';

/** What RabbitMQ refused (ACCESS_REFUSED) and which permission the user lacks for it. */
export interface RefusedAccess {
  permission: Permission;
  kind: 'queue' | 'exchange';
  /** The queue or exchange (`amq.default` for the default exchange). */
  name: string;
  vhost: string;
  user: string;
  /** What was being done: `declare queue`, `bind queue`, `publish`, `consume`... */
  operation: string;
}

/** RabbitMQ refused an operation (ACCESS_REFUSED); the message names the permission, the resource, the vhost and the user. */
export class AccessRefusedError extends CeleriacError {
  readonly access: RefusedAccess;
  constructor(access: RefusedAccess, options?: { cause?: unknown; detail?: string }) {
    super(
      ErrorCode.ACCESS_REFUSED,
      `ACCESS_REFUSED: user '${access.user}' has no ${access.permission} permission on ${access.kind} '${access.name}' in vhost '${access.vhost}' ` +
        `(needed to ${access.operation})${options?.detail ? `; ${options.detail}` : ''}`,
      options,
    );
    this.access = access;
  }
}

/** A queue or exchange checked passively (passive mode, or a declaration the user may not make) does not exist. */
export class TopologyMissingError extends CeleriacError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.NOT_FOUND, message, options);
  }
}
