/**
 * Holds ETA / countdown tasks until they are due (as Celery's timer), with one timer for the
 * earliest, and keeps count of the bytes it holds so the worker can bound its memory.
 */
import type { HeldRequest } from './held-request.js';

export class EtaScheduler {
  readonly #held: HeldRequest[] = [];
  #timer: NodeJS.Timeout | null = null;
  #bytes = 0;

  constructor(
    private readonly onDue: (h: HeldRequest) => void,
    private readonly onChange: () => void,
  ) {}

  get size(): number {
    return this.#held.length;
  }

  /** Bytes of the message bodies held. */
  get bytes(): number {
    return this.#bytes;
  }

  list(): readonly HeldRequest[] {
    return this.#held;
  }

  hold(h: HeldRequest): void {
    const t = h.req.eta!.getTime();
    let i = this.#held.length;
    while (i > 0 && this.#held[i - 1]!.req.eta!.getTime() > t) i--;
    this.#held.splice(i, 0, h);
    this.#bytes += h.bytes;
    this.onChange();
    this.#arm();
  }

  /** Removes and returns everything held (shutdown). */
  drain(): HeldRequest[] {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const all = this.#held.splice(0);
    this.#bytes = 0;
    if (all.length > 0) this.onChange();
    return all;
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const first = this.#held[0];
    if (!first) return;
    const wait = Math.max(0, first.req.eta!.getTime() - Date.now());
    // setTimeout's limit is ~24.8 days; re-arm in steps for longer waits
    this.#timer = setTimeout(() => this.#fire(), Math.min(wait, 2 ** 31 - 1));
  }

  #fire(): void {
    this.#timer = null;
    const now = Date.now();
    let released = 0;
    while (this.#held.length > 0 && this.#held[0]!.req.eta!.getTime() <= now) {
      const h = this.#held.shift()!;
      this.#bytes -= h.bytes;
      this.onDue(h);
      released++;
    }
    if (released > 0) this.onChange();
    this.#arm();
  }
}
