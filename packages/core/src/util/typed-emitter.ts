import { EventEmitter } from 'node:events';

type EventMap<E> = { [K in keyof E]: unknown[] };

/**
 * One generic typed emitter for every component. A listener that throws does not break
 * the emitter: the exception is re-emitted as `'error'` (or printed if nobody listens).
 */
export class TypedEmitter<E extends EventMap<E> & { error: [Error] }> {
  readonly #ee = new EventEmitter({ captureRejections: false });

  constructor() {
    this.#ee.setMaxListeners(100);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#ee.listenerCount(event);
  }

  emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    if (event === 'error' && this.#ee.listenerCount('error') === 0) {
      // An unhandled 'error' must not crash a worker; it is reported instead.
      console.error('[celeriac]', args[0]);
      return false;
    }
    const listeners = this.#ee.rawListeners(event);
    for (const listener of listeners) {
      try {
        (listener as (...a: unknown[]) => void).apply(this, args);
      } catch (err) {
        if (event === 'error') console.error('[celeriac] error listener threw', err);
        else this.emit('error' as keyof E & string, ...([err instanceof Error ? err : new Error(String(err))] as unknown as E[keyof E & string]));
      }
    }
    return listeners.length > 0;
  }
}
