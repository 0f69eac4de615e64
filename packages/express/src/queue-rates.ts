/**
 * How fast each queue's depth changes, from successive samples (messages per second; positive
 * while it grows). Without the management plugin this is what AMQP can tell: the depth.
 */
export class QueueRates {
  readonly #last = new Map<string, { t: number; messages: number; rate: number | null }>();

  /** Records a depth sample and returns the rate since the previous one at least `minGapMs` before (null at first). */
  sample(queue: string, messages: number | null, now: number = Date.now(), minGapMs = 900): number | null {
    if (messages === null) return null;
    const prev = this.#last.get(queue);
    if (!prev) {
      this.#last.set(queue, { t: now, messages, rate: null });
      return null;
    }
    if (now - prev.t < minGapMs) return prev.rate;
    const rate = Math.round(((messages - prev.messages) / ((now - prev.t) / 1000)) * 100) / 100;
    this.#last.set(queue, { t: now, messages, rate });
    return rate;
  }
}
