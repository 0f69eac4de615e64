/**
 * Sends Celery events on the `celeryev` topic exchange in Python's format: routing key =
 * type with `-` → `.`, header `hostname`, transient JSON messages with the common fields
 * (`hostname, utcoffset, pid, clock, timestamp, type`).
 */
import type { EventsContext } from '../context.js';
import { utcoffsetHoursWest } from '../protocol/time.js';

export class EventDispatcher {
  #clock = 0;
  #declared: Promise<void> | null = null;

  constructor(private readonly app: EventsContext, private readonly hostname: string) {}

  get clock(): number {
    return this.#clock;
  }

  async send(type: string, fields: Record<string, unknown>): Promise<void> {
    this.#declared ??= this.app.broker.declareExchange({ name: this.app.options.eventExchange, type: 'topic', durable: true, autoDelete: false });
    await this.#declared;
    const event = {
      hostname: this.hostname,
      utcoffset: utcoffsetHoursWest(),
      pid: process.pid,
      clock: ++this.#clock,
      ...fields,
      timestamp: Date.now() / 1000,
      type,
    };
    const codec = this.app.codecs.get('json');
    await this.app.broker.publish({ exchange: this.app.options.eventExchange, routingKey: type.replace(/-/g, '.') }, {
      body: codec.encode(event),
      properties: { contentType: codec.contentType, contentEncoding: codec.contentEncoding, headers: { hostname: this.hostname }, deliveryMode: 1 },
    });
  }
}
