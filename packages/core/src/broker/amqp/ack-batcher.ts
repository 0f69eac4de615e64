/**
 * Coalesces the acks of one channel into fewer frames (and so fewer socket writes): acks are
 * recorded as tasks settle and sent together once per event-loop turn, as one `basic.ack` with
 * `multiple` over a contiguous settled range where possible, single acks otherwise.
 *
 * Safety: a `multiple` ack settles every unacknowledged tag up to it on the server, so it is sent
 * only when every tag from the last point known settled up to it was seen here and is either
 * acked (its outcome recorded) or already settled (a reject sent at once, an ack sent before).
 * A tag never seen here (a gap) stops every later multiple ack; a still-running delivery stops
 * the range. Every tag handed to `ack()` is sent exactly once. Pure: the caller sends the ops.
 */

export interface AckOp {
  tag: number;
  /** Acknowledge every unacknowledged tag up to and including `tag` (AMQP `multiple`). */
  multiple: boolean;
}

const OPEN = 0;
const ACKED = 1;
const DONE = 2;

export class AckBatcher {
  /** Delivery tags seen, in arrival (= increasing) order, from `#head` on. */
  #tags: number[] = [];
  #states: number[] = [];
  #head = 0;
  /** Every tag up to this one is settled on the server. */
  #settledUpTo = 0;
  #pending = 0;

  /** Acks waiting for `flush()`. */
  get pending(): number {
    return this.#pending;
  }

  /** A delivery arrived (tags increase on a channel). */
  delivered(tag: number): void {
    const last = this.#tags.length > this.#head ? this.#tags[this.#tags.length - 1]! : this.#settledUpTo;
    if (tag <= last) throw new RangeError(`delivery tag ${tag} after ${last}: tags must increase`);
    this.#tags.push(tag);
    this.#states.push(OPEN);
  }

  /** The delivery's outcome is recorded: ack it with the next flush. True when it is the first ack waiting (schedule a flush). */
  ack(tag: number): boolean {
    this.#mark(tag, ACKED);
    return ++this.#pending === 1;
  }

  /** The delivery was settled on the server another way (a reject sent at once). */
  settledNow(tag: number): void {
    this.#mark(tag, DONE);
  }

  /** The acks to send now, in order; afterwards nothing is pending. */
  flush(): AckOp[] {
    const ops: AckOp[] = [];
    if (this.#pending === 0) return ops;
    const tags = this.#tags;
    const states = this.#states;
    // the contiguous run of settled-or-acked tags right after the last point known settled
    let i = this.#head;
    let upTo = this.#settledUpTo;
    let lastAcked = -1;
    let acked = 0;
    while (i < tags.length && tags[i] === upTo + 1 && states[i] !== OPEN) {
      if (states[i] === ACKED) {
        lastAcked = tags[i]!;
        acked++;
        states[i] = DONE;
      }
      upTo = tags[i]!;
      i++;
    }
    if (acked > 0) ops.push({ tag: lastAcked, multiple: acked > 1 });
    this.#settledUpTo = upTo;
    // acks behind a delivery still running (or a gap) go one by one
    for (let j = i; j < tags.length; j++) {
      if (states[j] === ACKED) {
        ops.push({ tag: tags[j]!, multiple: false });
        states[j] = DONE;
      }
    }
    // forget settled tags at the front (also past a gap, where #settledUpTo stays behind)
    while (i < tags.length && states[i] === DONE) i++;
    this.#head = i;
    if (this.#head > 1024 && this.#head * 2 > tags.length) {
      this.#tags = tags.slice(this.#head);
      this.#states = states.slice(this.#head);
      this.#head = 0;
    }
    this.#pending = 0;
    return ops;
  }

  #mark(tag: number, state: number): void {
    const i = this.#indexOf(tag);
    if (i < 0 || this.#states[i] !== OPEN) throw new RangeError(`delivery tag ${tag} is not an unsettled delivery of this channel`);
    this.#states[i] = state;
  }

  /** Binary search from the head; tags are increasing. */
  #indexOf(tag: number): number {
    let lo = this.#head;
    let hi = this.#tags.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.#tags[mid]!;
      if (t === tag) return mid;
      if (t < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** Flushes the acks of every subscription that has some waiting, once per event-loop turn (or now, before a close). */
export class AckFlushScheduler {
  readonly #waiting = new Set<{ flushAcks(): void }>();
  #timer: NodeJS.Immediate | null = null;

  add(sub: { flushAcks(): void }): void {
    this.#waiting.add(sub);
    this.#timer ??= setImmediate(() => this.flushNow());
  }

  flushNow(): void {
    if (this.#timer) clearImmediate(this.#timer);
    this.#timer = null;
    for (const sub of this.#waiting) sub.flushAcks();
    this.#waiting.clear();
  }
}
