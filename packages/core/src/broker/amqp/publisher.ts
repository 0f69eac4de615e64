/**
 * Confirmed publishing with a bounded offline buffer.
 *
 * A publish resolves only when RabbitMQ confirms it. While there is no channel (connecting,
 * reconnecting, connection blocked, or waiting for `drain`), publishes wait in a buffer of at
 * most `maxBuffer` messages and `maxBufferBytes` bytes of bodies; past either they fail at once
 * with `BufferFullError`. Messages in
 * flight when the connection drops go back to the front of the buffer and are sent again after
 * reconnect (at-least-once: a message may reach the queue twice, but none is lost or reported
 * sent without a confirm).
 */
import { AsyncResource } from 'node:async_hooks';
import type { ConfirmChannel, Options } from 'amqplib';
import { BufferFullError, ConnectionClosedError, PublishError } from '../../errors/broker-errors.js';
import { EncodeError } from '../../errors/serialization-errors.js';
import type { OutgoingMessage, Route } from '../../protocol/message.js';
import { DEFAULT_EXCHANGE, explainChannelError } from './explain-amqp-error.js';

interface Pending {
  route: Route;
  message: OutgoingMessage;
  resolve: () => void;
  reject: (err: Error) => void;
  channelFailures: number;
  /** The caller's async context, kept for a publish that waits in the buffer (tracing reads it). */
  scope?: AsyncResource;
}

export class Publisher {
  readonly #headerTables = new HeaderTables();
  readonly #buffer: Pending[] = [];
  readonly #inflight = new Set<Pending>();
  #channel: ConfirmChannel | null = null;
  #waitingDrain = false;
  #blocked = false;
  #bufferedBytes = 0;

  constructor(private readonly maxBuffer: number, private readonly maxBufferBytes: number = Infinity) {}

  get buffered(): number {
    return this.#buffer.length;
  }

  /** Bytes of the message bodies waiting in the buffer. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  publish(route: Route, message: OutgoingMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { route, message, resolve, reject, channelFailures: 0 };
      if (this.#canSend() && this.#buffer.length === 0) this.#send(p);
      else if (this.#buffer.length >= this.maxBuffer) reject(new BufferFullError(this.maxBuffer));
      else if (this.#bufferedBytes + message.body.length > this.maxBufferBytes) reject(new BufferFullError(this.maxBufferBytes, 'bytes'));
      else {
        p.scope = new AsyncResource('celeriac.publish');
        this.#push(p);
      }
    });
  }

  #push(p: Pending, front = false): void {
    if (front) this.#buffer.unshift(p);
    else this.#buffer.push(p);
    this.#bufferedBytes += p.message.body.length;
  }

  #shift(): Pending {
    const p = this.#buffer.shift()!;
    this.#bufferedBytes -= p.message.body.length;
    return p;
  }

  /** A new confirm channel is ready: flush the buffer onto it. */
  attach(channel: ConfirmChannel): void {
    this.#channel = channel;
    this.#waitingDrain = false;
    channel.on('drain', () => {
      if (this.#channel !== channel) return;
      this.#waitingDrain = false;
      this.#flush();
    });
    this.#flush();
  }

  /**
   * The channel is gone. `connectionLost` tells whether the whole connection went (then every
   * in-flight message is simply sent again) or only the channel died from a channel error
   * (then a message that keeps killing channels is failed after two tries). When the error
   * names the exchange a publish was refused on (ACCESS_REFUSED: no write permission) or that
   * does not exist, the messages for that exchange fail at once with that reason, and the
   * others are sent again without a strike.
   */
  detach(channel: ConfirmChannel, connectionLost: boolean, error?: Error): void {
    if (this.#channel !== channel) return;
    this.#channel = null;
    const culprit = error && !connectionLost ? refusedExchange(error) : null;
    const back: Pending[] = [];
    for (const p of this.#inflight) {
      if (culprit) {
        if ((p.route.exchange || DEFAULT_EXCHANGE) === culprit) p.reject(explainChannelError(error!, { op: 'publish', exchange: p.route.exchange }));
        else back.push(p);
        continue;
      }
      if (!connectionLost) p.channelFailures++;
      if (p.channelFailures >= 2) p.reject(new PublishError(`the broker closed the channel while publishing this message${error ? `: ${error.message}` : ''}`));
      else back.push(p);
    }
    this.#inflight.clear();
    for (let i = back.length - 1; i >= 0; i--) this.#push(back[i]!, true);
  }

  setBlocked(blocked: boolean): void {
    this.#blocked = blocked;
    if (!blocked) this.#flush();
  }

  /** The broker is closing for good: everything not confirmed fails. */
  failAll(reason: string): void {
    const err = new ConnectionClosedError(reason);
    for (const p of [...this.#buffer, ...this.#inflight]) p.reject(err);
    this.#buffer.length = 0;
    this.#bufferedBytes = 0;
    this.#inflight.clear();
  }

  #canSend(): boolean {
    return this.#channel !== null && !this.#waitingDrain && !this.#blocked;
  }

  #flush(): void {
    while (this.#buffer.length > 0 && this.#canSend()) this.#send(this.#shift());
  }

  #send(p: Pending): void {
    const channel = this.#channel!;
    const props = p.message.properties;
    const options: Options.Publish = {
      contentType: props.contentType,
      contentEncoding: props.contentEncoding,
      headers: this.#headerTables.fill(props.headers),
      deliveryMode: props.deliveryMode ?? 2,
      priority: props.priority,
      correlationId: props.correlationId,
      replyTo: props.replyTo || undefined,
      expiration: props.expiration,
      messageId: props.messageId,
    };
    this.#inflight.add(p);
    let ok: boolean;
    try {
      const publish = () => channel.publish(p.route.exchange, p.route.routingKey, p.message.body, options, (err) => {
        if (!this.#inflight.has(p)) return; // already moved back to the buffer by detach()
        if (!err) {
          this.#inflight.delete(p);
          p.resolve();
        } else if (err.message === 'message nacked') {
          this.#inflight.delete(p);
          p.reject(new PublishError('the broker refused (nacked) the message'));
        }
        // else the channel closed under us: detach() follows and decides, knowing why it closed
      });
      ok = p.scope ? p.scope.runInAsyncScope(publish) : publish();
    } catch (err) {
      this.#inflight.delete(p);
      // encoding errors (bad header values) are the caller's fault and final
      if (err instanceof EncodeError) {
        p.reject(err);
        return;
      }
      if (err instanceof TypeError || err instanceof RangeError) {
        p.reject(new PublishError(`could not encode the message for AMQP: ${err.message}`, { cause: err }));
        return;
      }
      this.#push(p, true);
      return;
    }
    if (!ok) this.#waitingDrain = true;
  }
}

/** The exchange a channel error says a publish was refused on, or found missing. */
function refusedExchange(error: Error): string | null {
  const m = /(?:ACCESS_REFUSED - access to exchange|NOT_FOUND - no exchange) '(.*?)' in vhost/s.exec(error.message);
  return m ? m[1]! : null;
}

/** Header shapes kept: task messages, results, events and control replies each have their own. */
const MAX_HEADER_TABLES = 4;

/**
 * amqplib wraps `headers` in `Object.create(headers)` on every publish, and V8 reshapes an
 * object the first time it becomes a prototype: with a fresh headers object per message that
 * costs as much as the rest of the frame encoding. So the values are copied into a long-lived
 * table with the same keys in the same order, and that table is what amqplib encodes: the same
 * bytes. amqplib encodes synchronously inside `publish()`, so a table is free again as soon as
 * `publish()` returns. Headers naming `__proto__` are passed through untouched.
 */
class HeaderTables {
  /** Most recently used first. */
  readonly #tables: { keys: string[]; values: Record<string, unknown> }[] = [];

  fill(headers: Record<string, unknown>): Record<string, unknown> {
    const tables = this.#tables;
    for (let t = 0; t < tables.length; t++) {
      const table = tables[t]!;
      if (!copyIfSameKeys(headers, table.keys, table.values)) continue;
      if (t > 0) tables.unshift(...tables.splice(t, 1));
      return table.values;
    }
    const keys: string[] = [];
    for (const key in headers) {
      if (key === '__proto__') return headers;
      keys.push(key);
    }
    const values: Record<string, unknown> = {};
    for (const key of keys) values[key] = headers[key];
    tables.unshift({ keys, values });
    if (tables.length > MAX_HEADER_TABLES) tables.pop();
    return values;
  }
}

/** Copies `headers` into `values` when its enumerable keys are exactly `keys`, in order. */
function copyIfSameKeys(headers: Record<string, unknown>, keys: readonly string[], values: Record<string, unknown>): boolean {
  let i = 0;
  for (const key in headers) {
    if (keys[i] !== key) return false;
    values[key] = headers[key];
    i++;
  }
  return i === keys.length;
}
