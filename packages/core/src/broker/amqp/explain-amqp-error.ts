/**
 * RabbitMQ's refusals in words a user can act on. RabbitMQ says *what* it refused
 * ("access to queue 'celery' in vhost 'prod' refused for user 'app'") but not which of the
 * three permissions was missing; the operation tells: declaring needs `configure`, binding
 * needs `write` on the queue (or destination exchange) and `read` on the source exchange,
 * publishing needs `write`, consuming and purging need `read`.
 */
import { AccessRefusedError, AuthenticationError, TlsError, TopologyMissingError, type Permission } from '../../errors/broker-errors.js';
import { ConfigurationError } from '../../errors/task-errors.js';
import { explainTlsError } from '../../tls/explain-tls-error.js';
import type { ConnectTarget } from './connect-options.js';

/** An AMQP operation on named resources, for explaining a refusal of it. */
export type AmqpOperation =
  | { op: 'declare'; kind: 'queue' | 'exchange'; name: string; deadLetterExchange?: string }
  | { op: 'bind-queue'; queue: string; exchange: string }
  | { op: 'bind-exchange'; destination: string; source: string }
  | { op: 'publish'; exchange: string }
  | { op: 'consume' | 'purge' | 'get'; queue: string }
  | { op: 'delete'; kind: 'queue' | 'exchange'; name: string };

// names may hold quotes: the name ends at the first "' in vhost '", the user at the last quote
const REFUSED = /ACCESS_REFUSED - access to (queue|exchange) '(.*?)' in vhost '(.*?)' refused for user '(.*)'/s;
const MISSING = /NOT_FOUND - no (queue|exchange) '(.*?)' in vhost '(.*)'/s;

/** The name RabbitMQ uses for the default exchange in permission checks. */
export const DEFAULT_EXCHANGE = 'amq.default';

function describe(op: AmqpOperation): string {
  switch (op.op) {
    case 'declare':
      return `declare ${op.kind} '${op.name}'`;
    case 'bind-queue':
      return `bind queue '${op.queue}' to exchange '${op.exchange || DEFAULT_EXCHANGE}'`;
    case 'bind-exchange':
      return `bind exchange '${op.destination}' to exchange '${op.source}'`;
    case 'publish':
      return `publish to exchange '${op.exchange || DEFAULT_EXCHANGE}'`;
    case 'delete':
      return `delete ${op.kind} '${op.name}'`;
    default:
      return `${op.op} queue '${op.queue}'`;
  }
}

function permissionFor(op: AmqpOperation, kind: 'queue' | 'exchange', name: string): Permission {
  switch (op.op) {
    case 'declare':
      // a queue with a dead-letter exchange also needs write on that exchange
      return kind === 'exchange' && op.kind === 'queue' ? 'write' : 'configure';
    case 'delete':
      return 'configure';
    case 'bind-queue':
      return kind === 'queue' ? 'write' : 'read';
    case 'bind-exchange':
      return name === op.destination && name !== op.source ? 'write' : 'read';
    case 'publish':
      return 'write';
    default:
      return 'read';
  }
}

/** An AccessRefusedError or TopologyMissingError for a channel error caused by `op`, else `err` itself. */
export function explainChannelError(err: Error, op: AmqpOperation, passive = false): Error {
  const refused = REFUSED.exec(err.message);
  if (refused) {
    const [, kind, name, vhost, user] = refused as unknown as [string, 'queue' | 'exchange', string, string, string];
    const permission = permissionFor(op, kind, name);
    const detail = op.op === 'declare' && op.kind === 'queue' && op.deadLetterExchange !== undefined && kind === 'queue'
      ? `a queue with a dead-letter exchange also needs read on itself and write on '${op.deadLetterExchange}'`
      : undefined;
    return new AccessRefusedError({ permission, kind, name, vhost, user, operation: describe(op) }, { cause: err, ...(detail ? { detail } : {}) });
  }
  const missing = MISSING.exec(err.message);
  if (missing) {
    const [, kind, name, vhost] = missing as unknown as [string, string, string, string];
    const hint = passive
      ? `passive mode checks but never declares, so an admin must declare it${kind === 'queue' ? ' (durable)' : ''}`
      : `it must exist to ${describe(op)}`;
    return new TopologyMissingError(`${kind} '${name}' does not exist in vhost '${vhost}': ${hint}`, { cause: err });
  }
  return err;
}

/** A TlsError, AuthenticationError or ConfigurationError for a failed connection attempt, else `err` itself. */
export function explainConnectError(err: Error, target: ConnectTarget | null): Error {
  if (err instanceof TlsError || err instanceof ConfigurationError || err instanceof AuthenticationError) return err;
  if (!target) return err;
  if (target.tls) {
    const tls = explainTlsError(err, target.tls, target.peer);
    if (tls) return tls;
  }
  const at = `the broker at ${target.peer.host}:${target.peer.port}`;
  if (/ACCESS_REFUSED - Login was refused/.test(err.message) || /ACCESS_REFUSED.*(?:login|mechanism|EXTERNAL)/i.test(err.message)) {
    const how = target.mechanism === 'EXTERNAL'
      ? 'with the client certificate (EXTERNAL): the certificate\'s name must be a RabbitMQ user, and the rabbitmq_auth_mechanism_ssl plugin enabled'
      : `of user '${target.user}' (${target.mechanism}): wrong user name or password`;
    return new AuthenticationError(`${at} refused the login ${how}`, { cause: err });
  }
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(err.message)) {
    // amqplib drops RabbitMQ's reply text here; connection.open is refused only for the vhost
    return new AuthenticationError(`${at} refused to open vhost '${target.vhost}' for user '${target.user}': it does not exist, or the user has no permissions in it (rabbitmqctl list_permissions -p '${target.vhost}')`, { cause: err });
  }
  if (!target.tls && /Socket closed abruptly during opening handshake/.test(err.message)) {
    return new Error(`${at} closed the connection during the AMQP handshake (a TLS port needs amqps://): ${err.message}`, { cause: err });
  }
  if (/NOT_ALLOWED - (?:access to vhost|vhost .* not found)/.test(err.message)) {
    const what = /not found/.test(err.message) ? `vhost '${target.vhost}' does not exist` : `user '${target.user}' has no permissions in vhost '${target.vhost}' (rabbitmqctl set_permissions -p ...)`;
    return new AuthenticationError(`${at}: ${what}`, { cause: err });
  }
  if (/unsupported mechanism|mechanism .* not (?:supported|offered)|Unknown mechanism/i.test(err.message)) {
    return new AuthenticationError(`${at} does not offer the ${target.mechanism} login method (for EXTERNAL, enable rabbitmq_auth_mechanism_ssl and add EXTERNAL to auth_mechanisms)`, { cause: err });
  }
  return err;
}

/** Errors no retry within the first connect can fix: certificates, configuration, login. */
export function isFatalConnectError(err: Error): boolean {
  return err instanceof TlsError || err instanceof ConfigurationError || err instanceof AuthenticationError;
}
