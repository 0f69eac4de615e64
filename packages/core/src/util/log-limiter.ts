/**
 * One log line per event without flooding: each kind of event (a key such as
 * `dead-lettered`) may write `burst` lines per `intervalMs`; later ones in the same window are
 * counted, and the next line after the window says how many were left out. A poison message
 * that comes back a thousand times a second then costs a few lines, not a full disk.
 */
import type { Logger } from './logger.js';

export interface LogLimiterOptions {
  /** Lines per key and window. @defaultValue 10 */
  burst?: number;
  /** Window length in milliseconds. @defaultValue 10000 */
  intervalMs?: number;
  /** Distinct keys remembered; the oldest is forgotten first. @defaultValue 100 */
  maxKeys?: number;
  /** Clock, for tests. @defaultValue Date.now */
  now?: () => number;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

interface Window {
  start: number;
  written: number;
  suppressed: number;
}

export class LogLimiter {
  readonly #logger: Logger;
  readonly #burst: number;
  readonly #interval: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(logger: Logger, options: LogLimiterOptions = {}) {
    this.#logger = logger;
    this.#burst = Math.max(1, options.burst ?? 10);
    this.#interval = Math.max(1, options.intervalMs ?? 10_000);
    this.#maxKeys = Math.max(1, options.maxKeys ?? 100);
    this.#now = options.now ?? Date.now;
  }

  /** Writes `message` unless this key already wrote `burst` lines in the current window. */
  log(level: Level, key: string, message: string): void {
    const now = this.#now();
    let w = this.#windows.get(key);
    if (w && now - w.start >= this.#interval) {
      this.#summarise(level, key, w);
      w = undefined;
    }
    if (!w) {
      w = { start: now, written: 0, suppressed: 0 };
      this.#windows.delete(key);
      this.#windows.set(key, w);
      if (this.#windows.size > this.#maxKeys) this.#windows.delete(this.#windows.keys().next().value!);
    }
    if (w.written < this.#burst) {
      w.written++;
      this.#logger[level](message);
    } else {
      w.suppressed++;
    }
  }

  /** Writes the pending "N left out" notes (at shutdown). */
  flush(level: Level = 'warn'): void {
    for (const [key, w] of this.#windows) this.#summarise(level, key, w);
    this.#windows.clear();
  }

  #summarise(level: Level, key: string, w: Window): void {
    if (w.suppressed === 0) return;
    const seconds = Math.max(1, Math.round((this.#now() - w.start) / 1000));
    this.#logger[level](`${w.suppressed} more "${key}" log lines left out in the last ${seconds}s`);
    w.suppressed = 0;
  }
}
