/**
 * The LeaderLock seam: among the beats of one schedule, exactly one may send. A lock
 * campaigns from `start()` until `stop()`, says when it wins (`acquired`) and when it loses
 * (`lost`); `isLeader` is checked again right before each claim and each send.
 */
import type { TypedEmitter } from '@celeriac/core';

export interface LeaderLockEvents {
  /** This process holds the lock: it may send. */
  acquired: [];
  /** This process no longer holds the lock (connection lost, stopped). */
  lost: [reason: string];
  /** Something went wrong while campaigning (the lock keeps trying). */
  error: [error: Error];
}

export interface LeaderLock {
  readonly events: TypedEmitter<LeaderLockEvents>;
  /** True while this process holds the lock. */
  readonly isLeader: boolean;
  /** Starts campaigning; resolves after the first attempt, won or not. */
  start(): Promise<void>;
  /** Stops campaigning and releases the lock (another beat can take over at once). */
  stop(): Promise<void>;
}
