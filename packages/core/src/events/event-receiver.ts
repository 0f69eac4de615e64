/**
 * Receives Celery events from Python and Node workers: a private queue `<exchange>.<uuid>`
 * bound to the event exchange, as Celery's EventReceiver does. `task.multi` batches are
 * unpacked, so listeners always get one event object at a time.
 */
import type { Subscription } from '../broker/broker.js';
import type { EventsContext } from '../context.js';
import { newId } from '../util/ids.js';
import { TypedEmitter } from '../util/typed-emitter.js';

export interface CeleryEvent {
  type: string;
  hostname: string;
  timestamp: number;
  clock?: number;
  uuid?: string;
  [field: string]: unknown;
}

export interface EventReceiverEvents {
  event: [event: CeleryEvent];
  error: [error: Error];
}

export class EventReceiver extends TypedEmitter<EventReceiverEvents> {
  #subscription: Subscription | null = null;
  readonly queue: string;

  constructor(private readonly app: EventsContext, private readonly routingKey = '#') {
    super();
    this.queue = `${app.options.eventExchange}.${newId()}`;
  }

  async start(): Promise<void> {
    const { broker } = this.app;
    const exchange = this.app.options.eventExchange;
    await broker.declareExchange({ name: exchange, type: 'topic', durable: true, autoDelete: false });
    await broker.declareQueue({ name: this.queue, durable: false, autoDelete: true, exclusive: true, arguments: { 'x-message-ttl': 5000, 'x-expires': 60_000 } });
    await broker.bindQueue({ queue: this.queue, exchange, routingKey: this.routingKey });
    this.#subscription = await broker.consume([this.queue], (d) => {
      try {
        const decoded = this.app.codecs.decode(d.properties.contentType, d.body);
        for (const e of Array.isArray(decoded) ? decoded : [decoded]) {
          if (e && typeof e === 'object' && typeof (e as CeleryEvent).type === 'string') this.emit('event', e as CeleryEvent);
        }
      } catch (err) {
        this.emit('error', err as Error);
      }
    }, { prefetch: 0, noAck: true });
  }

  async stop(): Promise<void> {
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = null;
  }
}
