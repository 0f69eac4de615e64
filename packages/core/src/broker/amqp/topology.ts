/**
 * Topology as data: every queue, exchange and binding declared through the broker is
 * remembered here, with how it was set up (declared, checked, or left to an admin), and
 * replayed in order after each reconnect.
 */
import type { Channel } from 'amqplib';
import type { QueueSpec } from '../broker.js';
import { explainChannelError, type AmqpOperation } from './explain-amqp-error.js';
import type { DeclareAction } from './passive-policy.js';
import type { Entry } from './topology-entry.js';

export type { Entry };

export class Topology {
  readonly #entries = new Map<string, { entry: Entry; action: DeclareAction }>();

  add(entry: Entry, action: DeclareAction = 'declare'): void {
    this.#entries.set(keyOf(entry), { entry, action });
  }

  has(entry: Entry): boolean {
    return this.#entries.has(keyOf(entry));
  }

  /** The queue's spec if it was declared through this topology. */
  queue(name: string): QueueSpec | undefined {
    const found = this.#entries.get(`q\u0000${name}`);
    return found?.entry.kind === 'queue' ? found.entry.spec : undefined;
  }

  forgetQueue(name: string): void {
    for (const [k, { entry: e }] of this.#entries) {
      if ((e.kind === 'queue' && e.spec.name === name) || (e.kind === 'binding' && e.spec.queue === name)) this.#entries.delete(k);
    }
  }

  forgetExchange(name: string): void {
    for (const [k, { entry: e }] of this.#entries) {
      if ((e.kind === 'exchange' && e.spec.name === name) || (e.kind === 'binding' && e.spec.exchange === name)
        || (e.kind === 'exchange-binding' && (e.spec.source === name || e.spec.destination === name))) this.#entries.delete(k);
    }
  }

  /** Replays everything on a fresh channel. Exclusive queues died with the old connection and are redeclared too. */
  async replay(channel: Channel, passive: boolean): Promise<void> {
    for (const { entry, action } of this.#entries.values()) {
      try {
        await apply(channel, entry, action);
      } catch (err) {
        throw explainChannelError(err as Error, operationOf(entry), passive);
      }
    }
  }
}

/** Declares the entry, checks that it exists (a passive declare, which needs no permission), or does nothing. */
export async function apply(channel: Channel, e: Entry, action: DeclareAction = 'declare'): Promise<void> {
  if (action === 'skip') return;
  if (action === 'check') {
    if (e.kind === 'queue') await channel.checkQueue(e.spec.name);
    else if (e.kind === 'exchange') await channel.checkExchange(e.spec.name);
    return;
  }
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

/** The AMQP operation an entry stands for, to explain a refusal of it. */
export function operationOf(e: Entry): AmqpOperation {
  switch (e.kind) {
    case 'exchange':
      return { op: 'declare', kind: 'exchange', name: e.spec.name };
    case 'queue': {
      const dlx = e.spec.arguments?.['x-dead-letter-exchange'];
      return { op: 'declare', kind: 'queue', name: e.spec.name, ...(typeof dlx === 'string' ? { deadLetterExchange: dlx } : {}) };
    }
    case 'binding':
      return { op: 'bind-queue', queue: e.spec.queue, exchange: e.spec.exchange };
    case 'exchange-binding':
      return { op: 'bind-exchange', destination: e.spec.destination, source: e.spec.source };
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
