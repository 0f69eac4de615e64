/**
 * Celery protocol v2 task messages: the header set, the `[args, kwargs, embed]` body, and the
 * request the worker builds from them. Pure: no I/O.
 */
import type { SignatureDict } from '../canvas/signature-dict.js';

/** The headers Python Celery 5.2 writes, in the same order. Unknown extra headers are kept. */
export interface TaskHeaders {
  lang: string;
  task: string;
  id: string;
  shadow: string | null;
  eta: string | null;
  expires: string | null;
  group: string | null;
  group_index: number | null;
  retries: number;
  timelimit: [number | null, number | null];
  root_id: string;
  parent_id: string | null;
  argsrepr: string;
  kwargsrepr: string;
  origin: string;
  ignore_result: boolean;
  [extra: string]: unknown;
}

/** The third element of the body: what happens after the task. */
export interface TaskEmbed {
  callbacks: SignatureDict[] | null;
  errbacks: SignatureDict[] | null;
  chain: SignatureDict[] | null;
  chord: SignatureDict | null;
}

export type TaskBody = [unknown[], Record<string, unknown>, TaskEmbed];

/** What the worker knows about one task message once it has been parsed and validated. */
export interface TaskRequest {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: TaskEmbed;
  shadow: string | null;
  eta: Date | null;
  expires: Date | null;
  retries: number;
  /** `[hard, soft]` seconds, as on the wire. */
  timelimit: [number | null, number | null];
  rootId: string;
  parentId: string | null;
  group: string | null;
  groupIndex: number | null;
  origin: string | null;
  ignoreResult: boolean;
  replyTo: string | null;
  correlationId: string;
  priority: number;
  /** All headers as received, including ones Celeriac does not interpret. */
  headers: Record<string, unknown>;
  argsrepr: string;
  kwargsrepr: string;
}

/** The name logs, events and `inspect` show: the shadow name when the sender gave one, as Celery does. */
export function displayName(req: Pick<TaskRequest, 'name' | 'shadow'>): string {
  return req.shadow || req.name;
}

export const EMPTY_EMBED: Readonly<TaskEmbed> = Object.freeze({ callbacks: null, errbacks: null, chain: null, chord: null });
