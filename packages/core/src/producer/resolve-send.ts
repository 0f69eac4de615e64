/**
 * The one place send options are resolved, for every way a task is sent (a handle's `delay`
 * / `applyAsync`, `sendTask`, signatures and canvases, retries, callbacks and chain steps a
 * worker sends). Layers, strongest first: the call, the signature, the registered task, the
 * app's routes table, then the defaults below. Pure: no I/O, time and ids come in.
 */
import { ConfigurationError } from '../errors/task-errors.js';
import type { Route } from '../protocol/message.js';
import type { TaskEmbed } from '../protocol/task-message.js';
import { expiresFrom, parseCeleryDate } from '../protocol/time.js';
import type { TaskOptions } from '../registry/task-options.js';
import { isPlainObject } from '../canvas/signature-dict.js';
import type { SendOptions } from './apply-options.js';
import { signatureList } from './option-names.js';
import type { RouteTarget } from './routing.js';

/** What a send falls back to when no layer says otherwise. */
export const SEND_DEFAULTS = Object.freeze({
  retries: 0,
  ignoreResult: false,
  shadow: null,
  timeLimit: null,
  softTimeLimit: null,
  groupId: null,
  groupIndex: null,
  rootId: null,
  parentId: null,
  replacedTaskNesting: 0,
});

/** Celery's built-ins that run another task inline: they are routed by that task's name. */
const ROUTED_BY_INNER_TASK = new Set(['celery.map', 'celery.starmap', 'celery.chunks']);

export interface SendRequest {
  name: string;
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
  /** Options given to this call: they win over every other layer. */
  call?: SendOptions;
  /** Options frozen in the signature being applied. */
  signature?: SendOptions;
}

export interface SendLayers {
  /** The options the task was registered with (local tasks only). */
  task?: TaskOptions;
  /** The registered queue of the task the message is routed as (see `routingName`). */
  taskQueue?: string;
  /** What the app's routes table says for the routing name. */
  route?: RouteTarget;
  defaultQueue: string;
  now: number;
}

export interface ResolvedSend {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  route: Route;
  /** The queue to declare before publishing (null when publishing to a named exchange only). */
  queue: string | null;
  embed: TaskEmbed;
  eta: Date | null;
  expires: Date | null;
  priority: number | undefined;
  timeLimit: number | null;
  softTimeLimit: number | null;
  ignoreResult: boolean;
  shadow: string | null;
  groupId: string | null;
  groupIndex: number | null;
  retries: number;
  rootId: string | null;
  parentId: string | null;
  /** Undefined: the producer asks the result backend for this client's reply queue. */
  replyTo: string | undefined;
  headers: Record<string, unknown> | undefined;
  compression: 'zlib' | null;
  argsrepr: string | undefined;
  kwargsrepr: string | undefined;
}

/**
 * The name a message is routed as: the task's own, except for `celery.map`, `celery.starmap`
 * and `celery.chunks`, which Celery routes by the task they run.
 */
export function routingName(name: string, kwargs: Record<string, unknown>): string {
  if (!ROUTED_BY_INNER_TASK.has(name)) return name;
  const inner = kwargs.task;
  return isPlainObject(inner) && typeof inner.task === 'string' ? inner.task : name;
}

export function resolveSend(req: SendRequest, layers: SendLayers, newId: () => string): ResolvedSend {
  const call = definedOnly(req.call ?? {});
  const sig = definedOnly(req.signature ?? {});
  const o: SendOptions = { ...sig, ...call };
  // fields that belong together come from one layer: a call's countdown beats a signature's eta
  const when = 'eta' in call || 'countdown' in call ? call : sig;
  const dest = 'queue' in call || 'exchange' in call ? call : sig;
  const task = layers.task ?? {};
  const { route, queue } = pickRoute(dest, layers.taskQueue, layers.route, layers.defaultQueue);
  const headers = o.headers ? definedOnly(o.headers) : undefined;
  const nesting = o.replacedTaskNesting ?? SEND_DEFAULTS.replacedTaskNesting;
  return {
    id: o.taskId ?? newId(),
    name: req.name,
    args: [...req.args],
    kwargs: { ...req.kwargs, ...(sig.kwargs ?? {}), ...(call.kwargs ?? {}) },
    route,
    queue,
    embed: {
      callbacks: nonEmpty(signatureList(o.link)),
      errbacks: nonEmpty(signatureList(o.linkError)),
      chain: o.chain ? [...o.chain] : null,
      chord: o.chord ?? null,
    },
    eta: when.eta !== undefined ? toDate(when.eta) : when.countdown !== undefined ? new Date(layers.now + when.countdown * 1000) : null,
    expires: o.expires !== undefined ? expiresFrom(o.expires, new Date(layers.now)) : null,
    priority: priorityOf(o.priority ?? task.priority, dest.queue),
    timeLimit: o.timeLimit ?? task.timeLimit ?? SEND_DEFAULTS.timeLimit,
    softTimeLimit: o.softTimeLimit ?? task.softTimeLimit ?? SEND_DEFAULTS.softTimeLimit,
    ignoreResult: o.ignoreResult ?? task.ignoreResult ?? SEND_DEFAULTS.ignoreResult,
    shadow: o.shadow ?? SEND_DEFAULTS.shadow,
    groupId: o.groupId ?? SEND_DEFAULTS.groupId,
    groupIndex: o.groupIndex ?? SEND_DEFAULTS.groupIndex,
    retries: o.retries ?? SEND_DEFAULTS.retries,
    rootId: o.rootId ?? SEND_DEFAULTS.rootId,
    parentId: o.parentId ?? SEND_DEFAULTS.parentId,
    replyTo: o.replyTo,
    headers: nesting > 0 ? { ...(headers ?? {}), replaced_task_nesting: nesting } : headers,
    compression: o.compression ?? null,
    argsrepr: o.argsrepr,
    kwargsrepr: o.kwargsrepr,
  };
}

/**
 * Destination: a queue or exchange named by the call or the signature, else the task's own
 * queue, else the routes table, else the default queue. Publishing to a queue goes through the
 * default exchange with routing key = queue name, as Python Celery does.
 */
function pickRoute(explicit: RouteTarget, taskQueue: string | undefined, fromTable: RouteTarget | undefined, defaultQueue: string): { route: Route; queue: string | null } {
  const pick = explicit.queue !== undefined || explicit.exchange !== undefined ? explicit
    : taskQueue !== undefined ? { queue: taskQueue } : fromTable ?? {};
  const queue = pick.queue ?? (pick.exchange === undefined ? defaultQueue : undefined);
  if (pick.exchange !== undefined && pick.exchange !== '') {
    return { route: { exchange: pick.exchange, routingKey: pick.routingKey ?? queue ?? '' }, queue: queue ?? null };
  }
  const q = queue ?? defaultQueue;
  return { route: { exchange: '', routingKey: pick.routingKey ?? q }, queue: q };
}

/** kombu sends priority 0 unless a queue is named; with a queue and no priority there is none. */
function priorityOf(priority: number | undefined, queue: string | undefined): number | undefined {
  if (priority !== undefined) return priority;
  return queue === undefined ? 0 : undefined;
}

function toDate(v: Date | string): Date {
  if (v instanceof Date) return v;
  if (typeof v !== 'string') throw new ConfigurationError(`eta must be a Date or an ISO-8601 string, got ${typeof v}`);
  return parseCeleryDate(v);
}

function nonEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}

function definedOnly<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
