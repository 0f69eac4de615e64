import type { Broker } from './broker/broker.js';
import type { AmqpBrokerOptions } from './broker/amqp/amqp-broker.js';
import type { RedisConnectionOptions } from './backends/redis-connection.js';
import type { ResultBackend } from './backends/result-backend.js';
import type { RoutesTable } from './producer/routing.js';
import type { Codec } from './serialization/codec.js';
import type { Logger } from './util/logger.js';
import type { Instrumentation } from './instrumentation/instrumentation.js';

export interface AppOptions {
  /**
   * `memory://` (in-process), `amqp://user:pass@host:5672/vhost` (several joined with `;` for
   * cluster failover), or a Broker instance (to share one memory broker between two apps).
   * @defaultValue 'memory://'
   */
  broker?: string | readonly string[] | Broker;
  /** `memory://`, `rpc://`, `redis://host:6379/0`, a ResultBackend, or null for none. @defaultValue 'rpc://' */
  backend?: string | ResultBackend | null;
  /** Queue for tasks that name none (Celery's `task_default_queue`). @defaultValue 'celery' */
  defaultQueue?: string;
  /** Task name globs → queue (or `{ queue, exchange, routingKey }`), first match wins. */
  routes?: RoutesTable;
  /** Content types or serializer names a worker decodes. Pickle is never allowed. @defaultValue ['json'] */
  accept?: readonly string[];
  /** Serializer used to send. @defaultValue 'json' */
  serializer?: string;
  /** Extra codecs (for example msgpack). */
  codecs?: readonly Codec[];
  /**
   * Most bytes a compressed message body may inflate to; a larger one is refused (and
   * dead-lettered by a worker) instead of filling the heap. @defaultValue 16777216 (16 MiB)
   */
  maxInflatedBytes?: number;
  /** Seconds results are kept (redis key TTL, rpc reply queue expiry). @defaultValue 86400 */
  resultExpires?: number;
  /**
   * Store Celery's extended result fields with every result a worker of this app stores
   * (Celery's `result_extended`): `name`, `args`, `kwargs`, `worker`, `retries`, `queue`.
   * The rpc backend sends only Celery's rpc fields, as Celery does. @defaultValue false
   */
  resultExtended?: boolean;
  /** `x-max-priority` on every task queue (Celery's `task_queue_max_priority`). */
  queueMaxPriority?: number;
  /** Declare task queues as quorum queues (per-consumer QoS is then used). @defaultValue false */
  quorumQueues?: boolean;
  /**
   * Park ETA tasks due later than a worker's `maxHeldEtaSeconds` on Celery 5.5's native delayed
   * delivery queues (`celery_delayed_0..27`), declared with this queue type; false holds every
   * ETA in the worker like Celery 5.2. RabbitMQ only. @defaultValue { queueType: 'quorum' }
   */
  nativeDelayedDelivery?: false | { queueType?: 'quorum' | 'classic' };
  /** Remote control namespace: exchanges `<ns>.pidbox` / `reply.<ns>.pidbox`. @defaultValue 'celery' */
  controlExchange?: string;
  /** Event exchange (topic). @defaultValue 'celeryev' */
  eventExchange?: string;
  /** Send `task-sent` events from this producer (Celery's `task_send_sent_event`). @defaultValue false */
  sendSentEvent?: boolean;
  /** IANA time zone for schedules that name none (Celery's `timezone`), used by @celeriac/beat. @defaultValue 'UTC' */
  timezone?: string;
  /**
   * Connection settings for amqp:// brokers: heartbeat, TLS, login method, password, passive
   * mode... `CELERIAC_BROKER_*` environment variables (and the CLI flags that set them) fill in
   * what is left unset here.
   */
  amqp?: Omit<AmqpBrokerOptions, 'url'>;
  /**
   * Connection settings for redis:// and rediss:// result backends: TLS and the password.
   * `CELERIAC_BACKEND_*` environment variables fill in what is left unset here.
   */
  redis?: Pick<RedisConnectionOptions, 'tls' | 'password'>;
  logger?: Logger;
  /**
   * Wrappers around every task this app publishes and every task its workers run (tracing,
   * timing, extra headers), outermost first; e.g. `[celeriacOtel()]` from `@celeriac/otel`.
   * @defaultValue []
   */
  instrumentation?: readonly Instrumentation[];
}

export const APP_DEFAULTS: Readonly<{
  broker: string;
  backend: string;
  defaultQueue: string;
  serializer: string;
  resultExpires: number;
  resultExtended: boolean;
  controlExchange: string;
  eventExchange: string;
}> = Object.freeze({
  broker: 'memory://',
  backend: 'rpc://',
  defaultQueue: 'celery',
  serializer: 'json',
  resultExpires: 86_400,
  resultExtended: false,
  controlExchange: 'celery',
  eventExchange: 'celeryev',
});

/** The app's options once defaults are filled in (`app.options`). */
export type ResolvedAppOptions = Readonly<AppOptions> & typeof APP_DEFAULTS;
