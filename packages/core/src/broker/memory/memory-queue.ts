import type { MessageProperties } from '../../protocol/message.js';

export interface StoredMessage {
  body: Buffer;
  properties: MessageProperties;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /** Absolute ms after which the message is dropped (AMQP per-message TTL). */
  expiresAt: number | null;
}

/** A FIFO with O(1) shift (Array#shift is O(n), which hurt queues of 100,000 messages). */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

/**
 * One in-memory queue, at Celery's level: FIFO, or priority buckets (highest served first,
 * FIFO within one) when declared with `x-max-priority` (Celery's `task_queue_max_priority`).
 */
export class MemoryQueue {
  readonly name: string;
  /** Deleted when its last consumer goes (reply and event queues). */
  readonly autoDelete: boolean;
  readonly #maxPriority: number;
  readonly #buckets: Fifo<StoredMessage>[];
  #size = 0;

  constructor(spec: { name: string; autoDelete?: boolean; arguments?: Record<string, unknown> }) {
    this.name = spec.name;
    this.autoDelete = spec.autoDelete ?? false;
    const max = Number(spec.arguments?.['x-max-priority'] ?? 0);
    this.#maxPriority = Number.isFinite(max) && max > 0 ? Math.min(255, Math.floor(max)) : 0;
    this.#buckets = Array.from({ length: this.#maxPriority + 1 }, () => new Fifo<StoredMessage>());
  }

  get size(): number {
    return this.#size;
  }

  push(message: StoredMessage, front = false): void {
    const p = Math.min(this.#maxPriority, Math.max(0, Math.floor(message.properties.priority ?? 0)));
    const bucket = this.#buckets[this.#maxPriority === 0 ? 0 : p]!;
    if (front) bucket.unshift(message);
    else bucket.push(message);
    this.#size++;
  }

  /** Next live message; expired ones (per-message TTL) are dropped on the way. */
  shift(now: number): StoredMessage | undefined {
    for (let p = this.#buckets.length - 1; p >= 0; p--) {
      const bucket = this.#buckets[p]!;
      while (bucket.length > 0) {
        const m = bucket.shift()!;
        this.#size--;
        if (m.expiresAt === null || m.expiresAt > now) return m;
      }
    }
    return undefined;
  }

  purge(): number {
    const n = this.#size;
    for (const b of this.#buckets) b.clear();
    this.#size = 0;
    return n;
  }
}
