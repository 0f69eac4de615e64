/**
 * The producer: resolve options → build the v2 message → encode → route → declare the queue
 * once (as Celery does) → publish, resolving when the broker confirms.
 */
import { hostname } from 'node:os';
import type { Broker } from '../broker/broker.js';
import type { ResultBackend } from '../backends/result-backend.js';
import { ZLIB_COMPRESSION, type CodecRegistry } from '../serialization/codec-registry.js';
import { buildTaskMessage } from '../protocol/build-task-message.js';
import { expiresFrom, parseCeleryDate } from '../protocol/time.js';
import type { TaskOptions } from '../registry/task-options.js';
import { newId } from '../util/ids.js';
import type { SendOptions } from './apply-options.js';
import { resolveRoute, type RouteTarget } from './routing.js';
import { Signature } from '../canvas/signature.js';
import type { SignatureDict } from '../canvas/signature-dict.js';
import type { Topology } from './topology.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { PublishInfo, Wrapped } from '../instrumentation/instrumentation.js';

/** What a producer reports after each confirmed publish (with the real arguments, not reprs). */
export interface SentInfo {
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  queue: string | null;
  exchange: string;
  routingKey: string;
  eta: string | null;
  expires: string | null;
  retries: number;
  rootId: string;
  parentId: string | null;
  argsrepr: string;
  kwargsrepr: string;
}

export interface ProducerEvents {
  'task-sent': [info: SentInfo];
  error: [error: Error];
}

export interface ProducerContext {
  broker: Broker;
  backend: ResultBackend;
  codecs: CodecRegistry;
  topology: Topology;
  defaultQueue: string;
  serializer: string;
  routeFor(taskName: string): RouteTarget | undefined;
  taskOptions(taskName: string): TaskOptions | undefined;
  /** Called after each publish (Celery `task-sent` events). */
  onSent?: (info: SentInfo) => void;
  /** The app's publish instrumentation, composed; null when there is none. */
  wrapPublish?: Wrapped<PublishInfo, void> | null;
}

export class Producer {
  readonly origin = `gen${process.pid}@${hostname()}`;
  /** `task-sent` after every confirmed publish, for monitors and dashboards. */
  readonly events = new TypedEmitter<ProducerEvents>();
  readonly #ctx: ProducerContext;

  constructor(ctx: ProducerContext) {
    this.#ctx = ctx;
  }

  async send(name: string, args: readonly unknown[], kwargs: Record<string, unknown>, options: SendOptions = {}): Promise<string> {
    const ctx = this.#ctx;
    const taskOpts = ctx.taskOptions(name);
    const id = options.taskId ?? newId();
    const now = Date.now();
    const eta = options.eta !== undefined ? toDate(options.eta)
      : options.countdown !== undefined ? new Date(now + options.countdown * 1000) : null;
    const expires = options.expires !== undefined ? expiresFrom(options.expires, new Date(now)) : null;
    const { route, queue } = resolveRoute(
      { queue: options.queue, exchange: options.exchange, routingKey: options.routingKey },
      ctx.routeFor(name), taskOpts?.queue, ctx.defaultQueue,
    );
    const replyTo = options.replyTo ?? (await ctx.backend.prepareClient());
    const built = buildTaskMessage({
      id, name, args: [...args], kwargs,
      embed: {
        callbacks: listOrNull(options.callbacks, options.link),
        errbacks: listOrNull(options.errbacks, options.linkError),
        chain: (options.chain as SignatureDict[] | null | undefined) ?? null,
        chord: (options.chord as SignatureDict | null | undefined) ?? null,
      },
      eta, expires, now,
      shadow: options.shadow ?? null,
      group: options.groupId ?? null,
      groupIndex: options.groupIndex ?? null,
      retries: options.retries ?? 0,
      timeLimit: options.timeLimit ?? taskOpts?.timeLimit ?? null,
      softTimeLimit: options.softTimeLimit ?? taskOpts?.softTimeLimit ?? null,
      rootId: options.rootId ?? null,
      parentId: options.parentId ?? null,
      origin: this.origin,
      ignoreResult: options.ignoreResult ?? taskOpts?.ignoreResult ?? false,
      replyTo,
      // undefined leaves each of these out, as buildTaskMessage documents
      priority: priorityOf(options.priority ?? taskOpts?.priority, options.queue),
      headers: options.headers ? definedOnly(options.headers) : undefined,
      argsrepr: options.argsrepr,
      kwargsrepr: options.kwargsrepr,
    });
    const codec = ctx.codecs.get(ctx.serializer);
    let body = codec.encode(built.body);
    const headers = built.headers as Record<string, unknown>;
    if (options.compression === 'zlib') {
      body = ctx.codecs.compress(body);
      headers.compression = ZLIB_COMPRESSION;
    }
    if (queue !== null && !ctx.topology.isDeclared(queue)) await ctx.topology.ensureTaskQueue(queue);
    const message = { body, properties: { ...built.properties, contentType: codec.contentType, contentEncoding: codec.contentEncoding, headers } };
    if (ctx.wrapPublish) {
      const info: PublishInfo = {
        taskId: id, taskName: name, route, queue, rootId: built.headers.root_id, parentId: built.headers.parent_id,
        groupId: built.headers.group, retries: built.headers.retries, headers,
      };
      await ctx.wrapPublish(info, () => ctx.broker.publish(route, message));
    } else {
      await ctx.broker.publish(route, message);
    }
    if (ctx.onSent || this.events.listenerCount('task-sent') > 0) {
      const info: SentInfo = {
        id, name, args: [...args], kwargs, queue, exchange: route.exchange, routingKey: route.routingKey,
        eta: built.headers.eta, expires: built.headers.expires, retries: built.headers.retries,
        rootId: built.headers.root_id, parentId: built.headers.parent_id, argsrepr: built.headers.argsrepr, kwargsrepr: built.headers.kwargsrepr,
      };
      ctx.onSent?.(info);
      this.events.emit('task-sent', info);
    }
    return id;
  }
}

/** kombu sends priority 0 unless a queue is named; with a queue and no priority there is none. */
function priorityOf(priority: number | undefined, queue: string | undefined): number | undefined {
  if (priority !== undefined) return priority;
  return queue === undefined ? 0 : undefined;
}

function toDate(v: Date | string): Date {
  return v instanceof Date ? v : parseCeleryDate(v);
}

function listOrNull(dicts: readonly SignatureDict[] | undefined, sigs: Signature | readonly Signature[] | undefined): SignatureDict[] | null {
  if (dicts === undefined && sigs === undefined) return null; // the common case: no callbacks
  const out: SignatureDict[] = [...(dicts ?? [])];
  if (sigs) for (const s of Array.isArray(sigs) ? sigs : [sigs]) out.push(s instanceof Signature ? s.toDict() : (s as SignatureDict));
  return out.length > 0 ? out : null;
}

function definedOnly(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  return out;
}
