/**
 * A lock that is always won: for a single beat process (the memory broker, tests, or a
 * deployment that guarantees one beat by other means).
 */
import { TypedEmitter } from '@celeriac/core';
import type { LeaderLock, LeaderLockEvents } from './leader-lock.js';

export class LocalLock implements LeaderLock {
  readonly events = new TypedEmitter<LeaderLockEvents>();
  #leader = false;

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    if (this.#leader) return;
    this.#leader = true;
    this.events.emit('acquired');
  }

  async stop(): Promise<void> {
    if (!this.#leader) return;
    this.#leader = false;
    this.events.emit('lost', 'stopped');
  }
}
