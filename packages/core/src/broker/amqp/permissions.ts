/**
 * The least RabbitMQ permissions each Celeriac role needs, as the three regular expressions of
 * `rabbitmqctl set_permissions` (configure, write, read), derived from the names the app uses.
 * Pure. What each entity needs (RabbitMQ's access-control table):
 *
 * - declaring a queue or exchange: configure on it (a queue with a dead-letter exchange: also
 *   write on that exchange and read on the queue); checking one passively: nothing
 * - binding: write on the queue (or destination exchange), read on the source exchange
 * - publishing: write on the exchange (`amq.default` for the default exchange, where Celeriac
 *   sends tasks, rpc results and dead letters)
 * - consuming, `basic.get`, purging: read on the queue
 *
 * The names: task queues `Q` (with a direct exchange `Q`) and their dead-letter queues `Q.dlq`;
 * rpc reply queues named by a UUID; remote control `<ns>.pidbox` and `reply.<ns>.pidbox`
 * (exchanges) with `<node>.<ns>.pidbox` and `<uuid>.reply.<ns>.pidbox` (queues); events on
 * `<ev>` with receivers `<ev>.<uuid>`; long ETAs on `celery_delayed_0..27` and
 * `celery_delayed_delivery`; beat's leader lock `celeriac.beat.lock.<name>`.
 */

export type RabbitRole = 'producer' | 'worker' | 'beat' | 'monitor' | 'dashboard';

export const RABBIT_ROLES: readonly RabbitRole[] = ['producer', 'worker', 'beat', 'monitor', 'dashboard'];

export interface RoleNames {
  /** Task queues the role sends to or consumes. @defaultValue ['celery'] */
  queues?: readonly string[];
  /** The app's `controlExchange`. @defaultValue 'celery' */
  controlExchange?: string;
  /** The app's `eventExchange`. @defaultValue 'celeryev' */
  eventExchange?: string;
  /** Beat's schedule name (its lock queue). @defaultValue 'default' */
  beatName?: string;
  /** Passive mode: durable queues and exchanges are declared by an admin, so no configure on them. @defaultValue false */
  passive?: boolean;
  /** The result backend is `rpc://` (reply queues named by a UUID). @defaultValue true */
  rpc?: boolean;
  /** Native delayed delivery for long ETAs (`celery_delayed_*`). @defaultValue true */
  delayedDelivery?: boolean;
}

export interface RabbitPermissions {
  configure: string;
  write: string;
  read: string;
}

/** A UUID (rpc reply queues, reply and event queues of clients), written short. */
const UUID = '[0-9a-f-]{36}';
const DEFAULT_EXCHANGE = 'amq\\.default';
const DELAYED = 'celery_delayed_([0-9]+|delivery)';

/** A name as a regular expression that matches only it. */
export function escapeName(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** One anchored expression of the alternatives, or `^$` (nothing) for none. */
function anyOf(parts: readonly string[]): string {
  const unique = [...new Set(parts)];
  return unique.length === 0 ? '^$' : `^(${unique.join('|')})$`;
}

export function rabbitPermissions(role: RabbitRole, names: RoleNames = {}): RabbitPermissions {
  const queues = (names.queues ?? ['celery']).map(escapeName);
  const dlqs = queues.map((q) => `${q}\\.dlq`);
  const ev = escapeName(names.eventExchange ?? 'celeryev');
  // <ns>.pidbox and reply.<ns>.pidbox (exchanges), <node>.<ns>.pidbox and <uuid>.reply.<ns>.pidbox (queues)
  const pidbox = `(.+\\.)?${escapeName(names.controlExchange ?? 'celery')}\\.pidbox`;
  const rpc = names.rpc === false ? [] : [UUID];
  const delayed = names.delayedDelivery === false ? [] : [DELAYED];
  const lock = `celeriac\\.beat\\.lock\\.${escapeName(names.beatName ?? 'default')}`;
  const shared = (parts: string[]) => (names.passive ? [] : parts); // durable: an admin's in passive mode

  // sends tasks (declaring their queue and exchange unless passive) and waits for rpc results
  const producer: RabbitPermissions = {
    configure: anyOf([...shared(queues), ...rpc]),
    write: anyOf([DEFAULT_EXCHANGE, ...shared(queues)]),
    read: anyOf([...shared(queues), ...rpc]),
  };
  switch (role) {
    case 'producer':
      return producer;
    case 'beat':
      return { ...producer, configure: anyOf([...shared(queues), ...rpc, lock]) };
    case 'worker':
      return {
        configure: anyOf([...shared([...queues, ...dlqs, ev, ...delayed]), pidbox, ...rpc]),
        // binding its queues (write on them) and the delay levels (read) only when it declares
        write: anyOf([DEFAULT_EXCHANGE, ...shared(queues), ev, ...delayed, pidbox]),
        read: anyOf([...queues, ...shared(delayed), pidbox, ...rpc]),
      };
    case 'monitor':
      return {
        configure: anyOf([...shared([ev]), `${ev}\\.${UUID}`, pidbox]),
        write: anyOf([`${ev}\\.${UUID}`, pidbox]),
        read: anyOf([ev, `${ev}\\.${UUID}`, pidbox]),
      };
    case 'dashboard': {
      // the monitor, plus retrying tasks (a producer) and browsing / requeueing dead letters
      const monitor = rabbitPermissions('monitor', names);
      const strip = (re: string) => (re === '^$' ? [] : [re.slice(2, -2)]);
      return {
        configure: anyOf([...strip(monitor.configure), ...strip(producer.configure)]),
        write: anyOf([...strip(monitor.write), ...strip(producer.write)]),
        read: anyOf([...strip(monitor.read), ...strip(producer.read), ...dlqs]),
      };
    }
  }
}

/** The `rabbitmqctl set_permissions` command for a role, quoted for a POSIX shell. */
export function setPermissionsCommand(role: RabbitRole, user: string, vhost: string, names: RoleNames = {}): string {
  const p = rabbitPermissions(role, names);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `rabbitmqctl set_permissions -p ${q(vhost)} ${q(user)} ${q(p.configure)} ${q(p.write)} ${q(p.read)}`;
}
