import type { SignatureDict, SignatureRef } from '../canvas/signature-dict.js';

/** Options for one call (`applyAsync`, `sendTask`), Celery's `apply_async` options in camelCase. */
export interface ApplyOptions {
  /** Use this id instead of a new UUID4. */
  taskId?: string;
  /** Keyword arguments for the task. */
  kwargs?: Record<string, unknown>;
  /** Seconds from now before the task may run. */
  countdown?: number;
  /** Absolute time before which the task may not run. */
  eta?: Date | string;
  /** Seconds from now, or an absolute time, after which the task is not run (state REVOKED). */
  expires?: number | Date | string;
  /** Queue to send to (declared as Celery declares queues). */
  queue?: string;
  /** Publish to this exchange instead of the default exchange. */
  exchange?: string;
  routingKey?: string;
  /** Message priority (the queue needs `x-max-priority`). */
  priority?: number;
  /** Hard time limit, seconds. */
  timeLimit?: number;
  /** Soft time limit, seconds. */
  softTimeLimit?: number;
  /** Extra headers, merged into the task headers as Celery does. */
  headers?: Record<string, unknown>;
  /** Name shown in logs and events instead of the task name. */
  shadow?: string;
  ignoreResult?: boolean;
  /** Tasks to run with this task's result when it succeeds. */
  link?: SignatureRef | readonly SignatureRef[];
  /** Tasks to run with this task's id when it fails. */
  linkError?: SignatureRef | readonly SignatureRef[];
  /** Compress the body with zlib (Celery's `compression='zlib'`). */
  compression?: 'zlib';
}

/** A signature as a `Signature` instance or as the dict Celery puts on the wire. */
export type SignatureLike = SignatureRef | SignatureDict;

/**
 * Everything a send can carry: the public `ApplyOptions` plus what the canvas and the worker
 * add (lineage, group membership, the rest of a chain, a chord body, retries...). Signatures
 * may be instances or wire dicts here.
 */
export interface SendOptions extends Omit<ApplyOptions, 'link' | 'linkError'> {
  link?: SignatureLike | readonly SignatureLike[];
  linkError?: SignatureLike | readonly SignatureLike[];
  parentId?: string | null;
  rootId?: string | null;
  groupId?: string | null;
  groupIndex?: number | null;
  retries?: number;
  replyTo?: string;
  /** The steps after this one, reversed (the next step is the last element), as Celery sends them. */
  chain?: readonly SignatureDict[] | null;
  /** The chord body this task reports to, when it is a chord header member. */
  chord?: SignatureDict | null;
  /** How many times the task was replaced (`replace()`), Celery 5.3.5's header. */
  replacedTaskNesting?: number;
  argsrepr?: string;
  kwargsrepr?: string;
}
