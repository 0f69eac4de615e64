/**
 * Builds a Celery protocol v2 task message, field for field as Python Celery 5.2's
 * `as_task_v2` does (see test/fixtures/celery-v2 for the captured originals). Pure.
 */
import type { MessageProperties } from './message.js';
import { EMPTY_EMBED, type TaskBody, type TaskEmbed, type TaskHeaders } from './task-message.js';
import { argsRepr, kwargsRepr } from './python-repr.js';
import { formatCeleryDate } from './time.js';

export interface BuildTaskInput {
  id: string;
  name: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  embed?: Partial<TaskEmbed>;
  /** Absolute time before which the task must not run. */
  eta?: Date | null;
  /** Absolute time after which the task must not run. */
  expires?: Date | null;
  /** Used to compute the AMQP `expiration` property; defaults to `Date.now()`. */
  now?: number;
  shadow?: string | null;
  group?: string | null;
  groupIndex?: number | null;
  retries?: number;
  /** Hard and soft time limits in seconds. */
  timeLimit?: number | null;
  softTimeLimit?: number | null;
  rootId?: string | null;
  parentId?: string | null;
  origin: string;
  ignoreResult?: boolean;
  replyTo?: string;
  /** Message priority; left out of the properties when undefined. */
  priority?: number;
  /** Custom headers, merged into the same table as Celery does. */
  headers?: Record<string, unknown>;
  /** Precomputed reprs (the worker reuses them when retrying). */
  argsrepr?: string;
  kwargsrepr?: string;
}

export interface BuiltTaskMessage {
  headers: TaskHeaders;
  properties: Omit<MessageProperties, 'headers' | 'contentType' | 'contentEncoding'>;
  body: TaskBody;
}

export function buildTaskMessage(input: BuildTaskInput): BuiltTaskMessage {
  const args = input.args ?? [];
  const kwargs = input.kwargs ?? {};
  const headers: TaskHeaders = {
    lang: 'py',
    task: input.name,
    id: input.id,
    shadow: input.shadow ?? null,
    eta: input.eta ? formatCeleryDate(input.eta) : null,
    expires: input.expires ? formatCeleryDate(input.expires) : null,
    group: input.group ?? null,
    group_index: input.groupIndex ?? null,
    retries: input.retries ?? 0,
    timelimit: [input.timeLimit ?? null, input.softTimeLimit ?? null],
    root_id: input.rootId ?? input.id,
    parent_id: input.parentId ?? null,
    argsrepr: input.argsrepr ?? argsRepr(args),
    kwargsrepr: input.kwargsrepr ?? kwargsRepr(kwargs),
    origin: input.origin,
    ignore_result: input.ignoreResult ?? false,
  };
  if (input.headers) {
    for (const key of Object.keys(input.headers)) {
      if (!(key in headers)) headers[key] = input.headers[key];
    }
  }
  const embed: TaskEmbed = input.embed ? { ...EMPTY_EMBED, ...input.embed } : { ...EMPTY_EMBED };
  const properties: BuiltTaskMessage['properties'] = {
    correlationId: input.id,
    replyTo: input.replyTo ?? '',
    deliveryMode: 2,
  };
  // kombu leaves the priority property out when a queue is named and no priority given
  if (input.priority !== undefined) properties.priority = input.priority;
  if (input.expires) {
    // Celery 5.2 mirrors `expires` into the per-message TTL (past expiry becomes "0").
    const ms = Math.max(0, input.expires.getTime() - (input.now ?? Date.now()));
    properties.expiration = String(Math.floor(ms));
  }
  return { headers, properties, body: [args, kwargs, embed] };
}
