/**
 * Sends remote-control commands to workers, Python or Node (Celery's `app.control`):
 * a broadcast on the fanout exchange `<ns>.pidbox`, replies collected on this client's
 * queue `<oid>.reply.<ns>.pidbox` until every destination answered or the timeout passed.
 */
import type { Subscription } from '../broker/broker.js';
import type { ControlContext } from '../context.js';
import { newId } from '../util/ids.js';

export interface BroadcastOptions {
  /** Node names to address; all workers when omitted. */
  destination?: readonly string[];
  /** Wait for replies. @defaultValue true */
  reply?: boolean;
  /** Milliseconds to wait for replies. @defaultValue 1000 */
  timeout?: number;
  /** Stop after this many replies. @defaultValue destination.length when given */
  limit?: number;
}

export type ControlReplies = Record<string, unknown>[];

export class ControlClient {
  readonly #oid = newId();
  #clock = 0;
  #subscription: Subscription | null = null;
  #ready: Promise<void> | null = null;
  readonly #pending = new Map<string, (reply: Record<string, unknown>) => void>();

  constructor(private readonly app: ControlContext) {}

  get #ns(): string {
    return this.app.options.controlExchange;
  }

  async broadcast(method: string, args: Record<string, unknown> = {}, options: BroadcastOptions = {}): Promise<ControlReplies> {
    const wantReply = options.reply ?? true;
    if (wantReply) await this.#ensureReplyQueue();
    else await this.app.broker.declareExchange({ name: `${this.#ns}.pidbox`, type: 'fanout', durable: false, autoDelete: false });
    const timeout = options.timeout ?? 1000;
    const ticket = newId();
    const body: Record<string, unknown> = {
      method, arguments: args, destination: options.destination ? [...options.destination] : null, pattern: null, matcher: null,
    };
    const replies: ControlReplies = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const limit = options.limit ?? options.destination?.length;
    if (wantReply) {
      body.ticket = ticket;
      body.reply_to = { exchange: `reply.${this.#ns}.pidbox`, routing_key: this.#oid };
      this.#pending.set(ticket, (reply) => {
        replies.push(reply);
        if (limit !== undefined && replies.length >= limit) done();
      });
    }
    const codec = this.app.codecs.get('json');
    await this.app.broker.publish({ exchange: `${this.#ns}.pidbox`, routingKey: '' }, {
      body: codec.encode(body),
      properties: {
        contentType: codec.contentType, contentEncoding: codec.contentEncoding, deliveryMode: 1,
        headers: { clock: ++this.#clock, expires: Date.now() / 1000 + timeout / 1000 },
      },
    });
    if (!wantReply) return [];
    const timer = setTimeout(done, timeout);
    await finished;
    clearTimeout(timer);
    this.#pending.delete(ticket);
    return replies;
  }

  ping(options?: BroadcastOptions): Promise<ControlReplies> {
    return this.broadcast('ping', {}, options);
  }

  /** `inspect <method>` (active, reserved, scheduled, registered, stats, revoked, active_queues...), merged by node. */
  async inspect(method: string, args: Record<string, unknown> = {}, options?: BroadcastOptions): Promise<Record<string, unknown>> {
    const replies = await this.broadcast(method, args, options);
    return Object.assign({}, ...replies) as Record<string, unknown>;
  }

  /** Revokes tasks on every worker; `terminate` also aborts running ones. */
  revoke(taskId: string | readonly string[], options: { terminate?: boolean; signal?: string } & BroadcastOptions = {}): Promise<ControlReplies> {
    return this.broadcast('revoke', {
      task_id: typeof taskId === 'string' ? taskId : [...taskId], terminate: options.terminate ?? false, signal: options.signal ?? 'SIGTERM',
    }, { reply: false, ...options });
  }

  shutdown(options: BroadcastOptions = {}): Promise<ControlReplies> {
    return this.broadcast('shutdown', {}, { reply: false, ...options });
  }

  async close(): Promise<void> {
    await this.#subscription?.close().catch(() => undefined);
    this.#subscription = null;
    this.#ready = null;
  }

  #ensureReplyQueue(): Promise<void> {
    this.#ready ??= (async () => {
      const { broker } = this.app;
      const queue = `${this.#oid}.reply.${this.#ns}.pidbox`;
      await broker.declareExchange({ name: `${this.#ns}.pidbox`, type: 'fanout', durable: false, autoDelete: false });
      await broker.declareExchange({ name: `reply.${this.#ns}.pidbox`, type: 'direct', durable: false, autoDelete: false });
      await broker.declareQueue({ name: queue, durable: false, autoDelete: true, exclusive: true, arguments: { 'x-expires': 10_000, 'x-message-ttl': 300_000 } });
      await broker.bindQueue({ queue, exchange: `reply.${this.#ns}.pidbox`, routingKey: this.#oid });
      this.#subscription = await broker.consume([queue], (d) => {
        const ticket = d.properties.headers?.ticket;
        const handler = typeof ticket === 'string' ? this.#pending.get(ticket) : undefined;
        if (!handler) return;
        try {
          handler(this.app.codecs.decode(d.properties.contentType, d.body) as Record<string, unknown>);
        } catch (err) {
          this.app.logger.warn(`bad control reply: ${(err as Error).message}`);
        }
      }, { prefetch: 0, noAck: true });
    })().catch((err: unknown) => {
      this.#ready = null;
      throw err;
    });
    return this.#ready;
  }
}
