/** The events of a Beat, in one map for its typed emitter. */

export type BeatState = 'idle' | 'standby' | 'active' | 'stopping' | 'stopped';

export interface BeatRun {
  /** Entry name. */
  readonly entry: string;
  /** Task name. */
  readonly task: string;
  /** When the run was scheduled (not when it was sent). */
  readonly scheduledAt: Date;
  /** Runs had been missed while no beat was sending; this one stands for them or was dropped. */
  readonly missed: boolean;
}

export interface SentRun extends BeatRun {
  /** Id of the task message. */
  readonly taskId: string;
}

export interface BeatEvents {
  /** The beat took the leader lock and sends from now on. */
  active: [];
  /** The beat stopped sending (lost the lock, or stopped). */
  standby: [reason: string];
  /** A run was sent. */
  sent: [run: SentRun];
  /** A missed run was dropped (catch-up policy `'skip'`). */
  skipped: [run: BeatRun];
  /** The state moved on: `idle → standby ⇄ active → stopping → stopped`. */
  state: [state: BeatState, previous: BeatState];
  /** A store, lock or send error; the beat carries on. */
  error: [error: Error];
}
