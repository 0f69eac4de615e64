/**
 * Topology as data: every queue, exchange and binding declared through the broker is
 * remembered here and replayed, in order, after each reconnect.
 */
import type { Channel } from 'amqplib';
import type { BindingSpec, ExchangeBindingSpec, ExchangeSpec, QueueSpec } from '../broker.js';

type Entry =
  | { kind: 'exchange'; spec: ExchangeSpec }
  | { kind: 'queue'; spec: QueueSpec }
  | { kind: 'binding'; spec: BindingSpec }
  | { kind: 'exchange-binding'; spec: ExchangeBindingSpec };

export class Topology {
  readonly #entries = new Map<string, Entry>();

  add(entry: Entry): void {
    this.#entries.set(keyOf(entry), entry);
  }

  has(entry: Entry): boolean {
    return this.#entries.has(keyOf(entry));
  }

  forgetQueue(name: string): void {
    for (const [k, e] of this.#entries) {
      if ((e.kind === 'queue' && e.spec.name === name) || (e.kind === 'binding' && e.spec.queue === name)) this.#entries.delete(k);
    }
  }

  forgetExchange(name: string): void {
    for (const [k, e] of this.#entries) {
      if ((e.kind === 'exchange' && e.spec.name === name) || (e.kind === 'binding' && e.spec.exchange === name)
        || (e.kind === 'exchange-binding' && (e.spec.source === name || e.spec.destination === name))) this.#entries.delete(k);
    }
  }

  /** Replays everything on a fresh channel. Exclusive queues died with the old connection and are redeclared too. */
  async replay(channel: Channel): Promise<void> {
    for (const e of this.#entries.values()) await apply(channel, e);
  }
}

export async function apply(channel: Channel, e: Entry): Promise<void> {
  switch (e.kind) {
    case 'exchange':
      await channel.assertExchange(e.spec.name, e.spec.type, {
        durable: e.spec.durable ?? true,
        autoDelete: e.spec.autoDelete ?? false,
        arguments: e.spec.arguments ?? {},
      });
      return;
    case 'queue':
      await channel.assertQueue(e.spec.name, {
        durable: e.spec.durable ?? true,
        autoDelete: e.spec.autoDelete ?? false,
        exclusive: e.spec.exclusive ?? false,
        arguments: e.spec.arguments ?? {},
      });
      return;
    case 'binding':
      await channel.bindQueue(e.spec.queue, e.spec.exchange, e.spec.routingKey);
      return;
    case 'exchange-binding':
      await channel.bindExchange(e.spec.destination, e.spec.source, e.spec.routingKey);
  }
}

function keyOf(e: Entry): string {
  switch (e.kind) {
    case 'exchange':
      return `x\u0000${e.spec.name}`;
    case 'queue':
      return `q\u0000${e.spec.name}`;
    case 'binding':
      return `b\u0000${e.spec.queue}\u0000${e.spec.exchange}\u0000${e.spec.routingKey}`;
    case 'exchange-binding':
      return `e\u0000${e.spec.destination}\u0000${e.spec.source}\u0000${e.spec.routingKey}`;
  }
}
