import type { Signature } from '../canvas/signature.js';
import type { SignatureDict } from '../canvas/signature-dict.js';

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
  link?: Signature | readonly Signature[];
  /** Tasks to run with this task's id when it fails. */
  linkError?: Signature | readonly Signature[];
  /** Compress the body with zlib (Celery's `compression='zlib'`). */
  compression?: 'zlib';
}

/** Internal options the canvas and the worker add on top of `ApplyOptions`. */
export interface SendOptions extends ApplyOptions {
  parentId?: string | null;
  rootId?: string | null;
  groupId?: string | null;
  groupIndex?: number | null;
  retries?: number;
  replyTo?: string;
  chain?: readonly Record<string, unknown>[] | null;
  chord?: Record<string, unknown> | null;
  /** Success callbacks as signature dicts (what `link` becomes on the wire). */
  callbacks?: readonly SignatureDict[];
  /** Error callbacks as signature dicts (what `linkError` becomes on the wire). */
  errbacks?: readonly SignatureDict[];
  argsrepr?: string;
  kwargsrepr?: string;
}
