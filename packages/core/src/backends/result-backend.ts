/**
 * The ResultBackend seam: store a result document, read it, wait for it (pushed, not polled,
 * where the store can push), forget it; plus the chord counters for backends that can keep
 * them. Implementations: rpc (reply queue), redis, memory.
 */
import type { ResultMeta } from '../protocol/result-meta.js';

export interface StoreTarget {
  /** The caller's reply queue (`reply_to`), used by rpc. */
  replyTo: string | null;
  correlationId: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with every state change seen while waiting (STARTED, PROGRESS...). */
  onUpdate?: (meta: ResultMeta) => void;
}

/** What a chord member reports; the backend answers with all results once the last one is in. */
export interface ChordPart {
  groupId: string;
  groupIndex: number | null;
  taskId: string;
  meta: ResultMeta;
}

export interface ChordCompletion {
  /** `[taskId, state, result]` per header member, ordered by group index. */
  members: { taskId: string; status: string; result: unknown }[];
}

export interface ResultBackend {
  readonly kind: string;
  readonly supportsChords: boolean;
  /**
   * Prepares this process to receive results and returns the `reply_to` to put on outgoing
   * tasks (rpc: declares and consumes the reply queue; others just return an id, as Celery
   * always sets `reply_to`).
   */
  prepareClient(): Promise<string>;
  /**
   * Connects now, to fail early on what no retry fixes (a TLS problem); backends without a
   * connection of their own leave it out.
   */
  connect?(): Promise<void>;
  store(meta: ResultMeta, target: StoreTarget): Promise<void>;
  get(taskId: string): Promise<ResultMeta | null>;
  /** Resolves with the first ready (SUCCESS / FAILURE / REVOKED) document. */
  wait(taskId: string, options?: WaitOptions): Promise<ResultMeta>;
  forget(taskId: string): Promise<void>;
  /** True when a document is stored for this id (Celery 5.7's `task_result_exists`). */
  exists(taskId: string): Promise<boolean>;
  /** Stores a group's result tuple (`GroupResult.save()`); only backends that keep documents. */
  saveGroup?(groupId: string, result: unknown): Promise<void>;
  /** The result tuple saved for a group, or null. */
  restoreGroup?(groupId: string): Promise<unknown>;
  deleteGroup?(groupId: string): Promise<void>;
  /** Chord bookkeeping, as Celery's redis backend does it. Only when `supportsChords`. */
  chordInit?(groupId: string, size: number): Promise<void>;
  chordPartDone?(part: ChordPart): Promise<ChordCompletion | null>;
  close(): Promise<void>;
}
