/**
 * Answers Celery's broadcast remote control (pidbox): each worker has its own queue
 * `<node>.<ns>.pidbox` bound to the fanout exchange `<ns>.pidbox`; requests addressed to it
 * (by destination list, glob / regex pattern, or to all) run a command from CONTROL_COMMANDS
 * and the reply `{<node>: result}` goes to `reply_to` with the request's ticket.
 */
import type { Subscription } from '../broker/broker.js';
import type { ControlContext } from '../context.js';
import { globToRegExp } from '../producer/routing.js';
import type { ControlledWorker } from './controlled-worker.js';
import { logText } from '../util/log-text.js';
import { CONTROL_COMMANDS } from './control-commands.js';

interface ControlRequest {
  method: string;
  arguments?: Record<string, unknown>;
  destination?: string[] | null;
  pattern?: string | null;
  matcher?: string | null;
  ticket?: string;
  reply_to?: { exchange: string; routing_key: string };
}

export function isForNode(req: ControlRequest, node: string): boolean {
  if (Array.isArray(req.destination) && req.destination.length > 0) return req.destination.includes(node);
  if (req.pattern) {
    const re = req.matcher === 'pcre' ? new RegExp(req.pattern) : globToRegExp(req.pattern);
    return re.test(node);
  }
  return true;
}

export class PidboxNode {
  #subscription: Subscription | null = null;
  #clock = 0;

  constructor(private readonly app: ControlContext, private readonly worker: ControlledWorker) {}

  get queueName(): string {
    return `${this.worker.hostname}.${this.app.options.controlExchange}.pidbox`;
  }

  async start(): Promise<void> {
    const { broker } = this.app;
    const exchange = `${this.app.options.controlExchange}.pidbox`;
    await broker.declareExchange({ name: exchange, type: 'fanout', durable: false, autoDelete: false });
    // exclusive, as Celery ≥ 5.6 declares it: RabbitMQ 4.3 refuses transient non-exclusive queues
    await broker.declareQueue({ name: this.queueName, durable: false, autoDelete: true, exclusive: true, arguments: { 'x-expires': 10_000, 'x-message-ttl': 300_000 } });
    await broker.bindQueue({ queue: this.queueName, exchange, routingKey: '' });
    this.#subscription = await broker.consume([this.queueName], (d) => {
      let req: ControlRequest;
      try {
        req = this.app.codecs.decode(d.properties.contentType, d.body) as ControlRequest;
        if (!req || typeof req.method !== 'string') throw new Error('control message without a method');
      } catch (err) {
        this.app.logger.warn(`ignoring a bad control message: ${logText((err as Error).message, 500)}`);
        return;
      }
      const clock = Number(d.properties.headers?.clock);
      if (Number.isFinite(clock)) this.#clock = Math.max(this.#clock, clock);
      if (isForNode(req, this.worker.hostname)) void this.#dispatch(req);
    }, { prefetch: 0, noAck: true });
  }

  async stop(): Promise<void> {
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = null;
  }

  async #dispatch(req: ControlRequest): Promise<void> {
    let reply: unknown;
    const handler = CONTROL_COMMANDS.get(req.method);
    try {
      if (!handler) throw Object.assign(new Error(req.method), { pyRepr: `KeyError('${req.method}')` });
      reply = await handler(this.worker, req.arguments ?? {});
    } catch (err) {
      const e = err as Error & { pyRepr?: string };
      reply = { error: e.pyRepr ?? `${e.name}(${JSON.stringify(e.message)})` };
    }
    if (reply === undefined || !req.reply_to || !req.ticket) return;
    const codec = this.app.codecs.get('json');
    try {
      await this.app.broker.declareExchange({ name: req.reply_to.exchange, type: 'direct', durable: false, autoDelete: false }).catch(() => undefined);
      await this.app.broker.publish({ exchange: req.reply_to.exchange, routingKey: req.reply_to.routing_key }, {
        body: codec.encode({ [this.worker.hostname]: reply }),
        properties: { contentType: codec.contentType, contentEncoding: codec.contentEncoding, headers: { ticket: req.ticket, clock: ++this.#clock }, deliveryMode: 1 },
      });
    } catch (err) {
      this.app.logger.warn(`could not reply to control command ${logText(req.method)}: ${logText((err as Error).message, 500)}`);
    }
  }
}
