/**
 * The producer: the one place a task message is built and published. Resolve the options
 * (`resolve-send.ts`) → build the v2 message → encode → declare the queue once (as Celery
 * does) → publish, resolving when the broker confirms.
 */
import { hostname } from 'node:os';
import type { Broker } from '../broker/broker.js';
import type { ResultBackend } from '../backends/result-backend.js';
import { ZLIB_COMPRESSION, type CodecRegistry } from '../serialization/codec-registry.js';
import { buildTaskMessage } from '../protocol/build-task-message.js';
import type { TaskOptions } from '../registry/task-options.js';
import { newId } from '../util/ids.js';
import { resolveSend, routingName, type SendRequest } from './resolve-send.js';
import type { RouteTarget } from './routing.js';
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

  /** Resolves the options (see `resolve-send.ts`), builds the v2 message, publishes it; resolves with the task id once confirmed. */
  async send(req: SendRequest): Promise<string> {
    const ctx = this.#ctx;
    const routeAs = routingName(req.name, req.kwargs);
    const r = resolveSend(req, {
      task: ctx.taskOptions(req.name),
      taskQueue: ctx.taskOptions(routeAs)?.queue,
      route: ctx.routeFor(routeAs),
      defaultQueue: ctx.defaultQueue,
      now: Date.now(),
    }, newId);
    const replyTo = r.replyTo ?? (await ctx.backend.prepareClient());
    const built = buildTaskMessage({
      id: r.id, name: r.name, args: r.args, kwargs: r.kwargs, embed: r.embed,
      eta: r.eta, expires: r.expires, shadow: r.shadow, group: r.groupId, groupIndex: r.groupIndex, retries: r.retries,
      timeLimit: r.timeLimit, softTimeLimit: r.softTimeLimit, rootId: r.rootId, parentId: r.parentId,
      origin: this.origin, ignoreResult: r.ignoreResult, replyTo,
      // undefined leaves each of these out, as buildTaskMessage documents
      priority: r.priority, headers: r.headers, argsrepr: r.argsrepr, kwargsrepr: r.kwargsrepr,
    });
    const codec = ctx.codecs.get(ctx.serializer);
    let body = codec.encode(built.body);
    const headers = built.headers as Record<string, unknown>;
    if (r.compression === 'zlib') {
      body = ctx.codecs.compress(body);
      headers.compression = ZLIB_COMPRESSION;
    }
    if (r.queue !== null && !ctx.topology.isDeclared(r.queue)) await ctx.topology.ensureTaskQueue(r.queue);
    const message = { body, properties: { ...built.properties, contentType: codec.contentType, contentEncoding: codec.contentEncoding, headers } };
    if (ctx.wrapPublish) {
      const info: PublishInfo = {
        taskId: r.id, taskName: r.name, route: r.route, queue: r.queue, rootId: built.headers.root_id, parentId: built.headers.parent_id,
        groupId: built.headers.group, retries: built.headers.retries, headers,
      };
      await ctx.wrapPublish(info, () => ctx.broker.publish(r.route, message));
    } else {
      await ctx.broker.publish(r.route, message);
    }
    if (ctx.onSent || this.events.listenerCount('task-sent') > 0) {
      const info: SentInfo = {
        id: r.id, name: r.name, args: r.args, kwargs: r.kwargs, queue: r.queue, exchange: r.route.exchange, routingKey: r.route.routingKey,
        eta: built.headers.eta, expires: built.headers.expires, retries: built.headers.retries,
        rootId: built.headers.root_id, parentId: built.headers.parent_id, argsrepr: built.headers.argsrepr, kwargsrepr: built.headers.kwargsrepr,
      };
      ctx.onSent?.(info);
      this.events.emit('task-sent', info);
    }
    return r.id;
  }
}
