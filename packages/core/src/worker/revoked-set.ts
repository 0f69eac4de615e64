/** Revoked task ids, like Celery's LimitedSet: at most `max` ids, each kept for `ttlMs`. */
export class RevokedSet {
  readonly #ids = new Map<string, number>();
  constructor(private readonly max = 50_000, private readonly ttlMs = 3 * 3600_000) {}

  add(id: string, now = Date.now()): void {
    this.#ids.delete(id);
    this.#ids.set(id, now);
    while (this.#ids.size > this.max) this.#ids.delete(this.#ids.keys().next().value!);
  }

  has(id: string, now = Date.now()): boolean {
    const at = this.#ids.get(id);
    if (at === undefined) return false;
    if (now - at > this.ttlMs) {
      this.#ids.delete(id);
      return false;
    }
    return true;
  }

  ids(): string[] {
    return [...this.#ids.keys()];
  }

  entries(): [string, number][] {
    return [...this.#ids.entries()];
  }
}
