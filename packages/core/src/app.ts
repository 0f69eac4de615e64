/**
 * `createApp()`: the one composition root. Everything (broker, backend, codecs, task
 * registry, producer) hangs off the returned app; two apps in one process share nothing.
 */
import type { Broker } from './broker/broker.js';
import { AmqpBroker } from './broker/amqp/amqp-broker.js';
import { MemoryBroker } from './broker/memory/memory-broker.js';
import { logBrokerEvents } from './broker/log-broker-events.js';
import type { ResultBackend } from './backends/result-backend.js';
import { MemoryBackend } from './backends/memory-backend.js';
import { RpcBackend } from './backends/rpc-backend.js';
import { RedisBackend } from './backends/redis-backend.js';
import { DisabledBackend } from './backends/disabled-backend.js';
import { applySignatureDict, canvasContext, chunksToGroup, type Applied } from './canvas/apply-signature.js';
import { Signature } from './canvas/signature.js';
import { chunks, xmap, xstarmap } from './canvas/compose.js';
import type { SignatureDict } from './canvas/signature-dict.js';
import { ConfigurationError } from './errors/task-errors.js';
import type { ApplyOptions, SendOptions } from './producer/apply-options.js';
import { toWireOptions } from './producer/option-names.js';
import { Producer } from './producer/producer.js';
import { compileRoutes } from './producer/routing.js';
import { Topology } from './producer/topology.js';
import type { RegisteredTask, Task, TaskHandle, TaskHandler } from './registry/task.js';
import type { TaskOptions } from './registry/task-options.js';
import { AsyncResult, GroupResult, resultFromApplied } from './result/async-result.js';
import { createCodecRegistry, type CodecRegistry } from './serialization/codec-registry.js';
import { createConsoleLogger, type Logger } from './util/logger.js';
import { argsRepr } from './protocol/python-repr.js';
import { parseRateLimit } from './worker/rate-limit.js';
import { APP_DEFAULTS, type AppOptions } from './app-options.js';
import { backendSettings, brokerSettings } from './tls/connection-env.js';
import { Worker } from './worker/worker.js';
import { ControlClient } from './control/control-client.js';
import { EventReceiver } from './events/event-receiver.js';
import { SentEvents } from './events/sent-events.js';
import type { WorkerOptions } from './worker/worker-options.js';
import { composePublish } from './instrumentation/instrumentation.js';
import { toError } from './errors/base-error.js';
import { currentParent } from './worker/task-context.js';
import { servePoolChild, type ChildPort } from './worker/pool/child-runtime.js';
import { POOL_CHILD } from './worker/pool/pool-child-symbol.js';

export interface CeleriacApp {
  readonly broker: Broker;
  readonly backend: ResultBackend;
  readonly codecs: CodecRegistry;
  readonly producer: Producer;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly options: Readonly<AppOptions> & typeof APP_DEFAULTS;
  /** Registered tasks by name. */
  readonly tasks: ReadonlyMap<string, RegisteredTask>;
  /** Registers a task and returns its typed handle. */
  task<A extends unknown[], R>(name: string, handler: TaskHandler<A, R>, options?: TaskOptions): Task<A, Awaited<R>>;
  /** A typed handle for a task defined elsewhere (for example in a Python service). */
  signature<A extends unknown[] = unknown[], R = unknown>(name: string, options?: ApplyOptions): TaskHandle<A, R>;
  /** Sends a task by name, like Celery's `send_task(name, args, kwargs, **options)`. */
  sendTask<R = unknown>(name: string, args?: readonly unknown[], kwargs?: Record<string, unknown>, options?: ApplyOptions): Promise<AsyncResult<R>>;
  /** A handle on a task's result by id. */
  asyncResult<R = unknown>(id: string): AsyncResult<R>;
  /** Applies a signature dict (plain, chain, group or chord): a group gives a GroupResult. */
  applySignature(sig: SignatureDict, call?: { args?: unknown[]; kwargs?: Record<string, unknown>; options?: SendOptions }): Promise<AsyncResult<unknown>>;
  /** Applies a signature as a group (a `celery.chunks` signature is split into its starmaps): the GroupResult. */
  applyGroup(sig: SignatureDict, call?: { args?: unknown[]; options?: SendOptions }): Promise<GroupResult>;
  /** A group saved with `GroupResult.save()` (here or by Python), or null. Needs redis:// (or memory://). */
  restoreGroup(id: string): Promise<GroupResult | null>;
  worker(options?: WorkerOptions): Worker;
  /** Remote control of workers (ping, inspect, revoke, shutdown...), Celery's `app.control`. */
  readonly control: ControlClient;
  /** A receiver for Celery events from Python and Node workers; call `start()` on it. */
  eventReceiver(routingKey?: string): EventReceiver;
  /** Connects the broker, and the result backend where it has a connection of its own (redis). */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export function createApp(options: AppOptions = {}): CeleriacApp {
  const opts = {
    ...APP_DEFAULTS,
    ...stripUndefined(options),
    // connection settings from CELERIAC_BROKER_* / CELERIAC_BACKEND_* fill in what code leaves unset
    amqp: brokerSettings(options.amqp ?? {}, process.env),
    redis: backendSettings(options.redis ?? {}, process.env),
  } as CeleriacApp['options'];
  const logger = options.logger ?? createConsoleLogger();
  const codecs = createCodecRegistry({
    accept: opts.accept ?? ['json'], codecs: opts.codecs ?? [], ...(opts.maxInflatedBytes !== undefined ? { maxInflatedBytes: opts.maxInflatedBytes } : {}),
  });
  const broker = makeBroker(opts);
  logBrokerEvents(broker, logger);
  const backend = makeBackend(opts, broker, codecs, logger);
  const topology = new Topology(broker, {
    ...(opts.queueMaxPriority !== undefined ? { maxPriority: opts.queueMaxPriority } : {}),
    quorum: opts.quorumQueues === true,
  });
  const tasks = new Map<string, RegisteredTask>();
  const route = compileRoutes(opts.routes);
  const producer = new Producer({
    broker, backend, codecs, topology,
    defaultQueue: opts.defaultQueue,
    serializer: opts.serializer,
    routeFor: route,
    taskOptions: (name) => tasks.get(name)?.options,
    wrapPublish: composePublish(opts.instrumentation ?? [], (err, name) => logger.error(`instrumentation ${name}: ${toError(err).message}`)),
    ...(opts.sendSentEvent ? { onSent: (info) => sentEvents?.sent(info) } : {}),
  });
  let sentEvents: SentEvents | undefined;
  const canvas = canvasContext(producer, backend);
  let control: ControlClient | undefined;
  /**
   * Sends on behalf of the task running in this async flow, if any (Celery's `add_to_parent`):
   * it becomes the parent (and gives its root) unless the call names them, and the worker
   * records the result among the task's `children`.
   */
  const asChild = async (apply: (lineage: SendOptions) => Promise<Applied>): Promise<AsyncResult<unknown>> => {
    const parent = currentParent();
    const applied = await apply(parent ? { parentId: parent.id, rootId: parent.rootId } : {});
    parent?.addChild(applied);
    return resultFromApplied(applied, backend);
  };
  const apply = (sig: SignatureDict, call: { args?: readonly unknown[]; kwargs?: Record<string, unknown>; options?: SendOptions }) =>
    asChild((lineage) => applySignatureDict(canvas, sig, { ...call, options: { ...lineage, ...(call.options ?? {}) } }));
  const app: CeleriacApp = {
    broker, backend, codecs, producer, topology, logger, options: opts, tasks,
    task<A extends unknown[], R>(name: string, handler: TaskHandler<A, R>, taskOptions: TaskOptions = {}) {
      if (tasks.has(name)) throw new ConfigurationError(`task ${JSON.stringify(name)} is already registered`);
      parseRateLimit(taskOptions.rateLimit); // a bad rate limit is a configuration error now, not at run time
      tasks.set(name, { name, options: { ...taskOptions }, handler: handler as TaskHandler<unknown[], unknown> });
      return Object.assign(makeHandle<A, Awaited<R>>(app, name, {}), { options: Object.freeze({ ...taskOptions }), handler }) as Task<A, Awaited<R>>;
    },
    signature<A extends unknown[], R>(name: string, defaults: ApplyOptions = {}) {
      return makeHandle<A, R>(app, name, defaults);
    },
    async sendTask<R>(name: string, args: readonly unknown[] = [], kwargs: Record<string, unknown> = {}, o: ApplyOptions = {}) {
      // Python's send_task keeps the args list, so argsrepr is a list repr: "[5, 6]"
      const call = { argsrepr: listRepr(args), ...o };
      const r = await asChild(async (lineage) => ({ kind: 'task', id: await producer.send({ name, args, kwargs, call: { ...lineage, ...call } }) }));
      return r as AsyncResult<R>;
    },
    asyncResult<R>(id: string) {
      return new AsyncResult<R>(id, backend);
    },
    applySignature(sig, call = {}) {
      return apply(sig, call);
    },
    async applyGroup(sig, call = {}) {
      const r = await apply(sig.task === 'celery.chunks' && sig.subtask_type === null ? chunksToGroup(sig) : sig, call);
      return r instanceof GroupResult ? r : new GroupResult(r.id, [r], backend);
    },
    restoreGroup(id: string) {
      return GroupResult.restore(backend, id);
    },
    worker(workerOptions: WorkerOptions = {}) {
      return new Worker(app, workerOptions);
    },
    get control() {
      control ??= new ControlClient(app);
      return control;
    },
    eventReceiver(routingKey = '#') {
      return new EventReceiver(app, routingKey);
    },
    async connect() {
      await broker.connect();
      await backend.connect?.();
    },
    async close() {
      await control?.close();
      await backend.close();
      await broker.close();
    },
  };
  if (opts.sendSentEvent) sentEvents = new SentEvents(app, producer.origin);
  // how a pool child (-P threads / processes) that imported this app's module runs its tasks
  Object.defineProperty(app, POOL_CHILD, { value: (port: ChildPort, kind: 'threads' | 'processes') => servePoolChild(app, port, kind) });
  return app;
}

/**
 * A task handle. Its defaults are signature options, so `delay` / `applyAsync` send through
 * the same path as a signature: `handle.applyAsync(args, o)` is `handle.signature(args).applyAsync([], o)`.
 */
function makeHandle<A extends unknown[], R>(app: CeleriacApp, name: string, defaults: ApplyOptions): TaskHandle<A, R> {
  const sender = { applySignature: (sig: SignatureDict, call?: { args?: unknown[]; kwargs?: Record<string, unknown>; options?: SendOptions }) => app.applySignature(sig, call) };
  const sig = (args: readonly unknown[], o: ApplyOptions, immutable: boolean) => {
    const { kwargs, ...rest } = { ...defaults, ...o };
    return new Signature<R>(sender, { task: name, args, kwargs: { ...(defaults.kwargs ?? {}), ...(kwargs ?? {}) }, options: toWireOptions(rest), immutable });
  };
  return {
    name,
    delay: (...args: A) => sig(args, {}, false).applyAsync(),
    applyAsync: (args = [], o = {}) => sig(args, {}, false).applyAsync([], o),
    s: (...args) => sig(args, {}, false),
    si: (...args) => sig(args, {}, true),
    signature: (args = [] as never, o = {}) => sig(args, o, false),
    map: (items) => xmap(sig([], {}, false), items),
    starmap: (items) => xstarmap(sig([], {}, false), items),
    chunks: (items, n) => chunks(sig([], {}, false), items, n),
  };
}

function makeBroker(opts: AppOptions): Broker {
  const b = opts.broker ?? APP_DEFAULTS.broker;
  if (typeof b === 'object' && !Array.isArray(b)) return b as Broker;
  const urls = typeof b === 'string' ? [b] : (b as readonly string[]);
  const first = urls[0] ?? '';
  if (first.startsWith('memory:')) return new MemoryBroker();
  if (/^amqps?:/.test(first)) return new AmqpBroker({ ...(opts.amqp ?? {}), ...(opts.quorumQueues ? { globalQos: false } : {}), url: urls });
  throw new ConfigurationError(`unsupported broker URL ${JSON.stringify(first)}: use memory:// or amqp://`);
}

function makeBackend(opts: CeleriacApp['options'], broker: Broker, codecs: CodecRegistry, logger: Logger): ResultBackend {
  const b = opts.backend;
  if (b === null) return new DisabledBackend();
  if (typeof b === 'object') return b;
  const onError = (err: Error) => logger.warn(`result backend: ${err.message}`);
  if (b.startsWith('memory:')) return new MemoryBackend();
  if (b.startsWith('rpc:')) return new RpcBackend({ broker, codecs, expiresSeconds: opts.resultExpires, onError });
  if (/^rediss?:/.test(b)) return new RedisBackend({ ...opts.redis, url: b, codecs, expiresSeconds: opts.resultExpires, onError });
  throw new ConfigurationError(`unsupported result backend ${JSON.stringify(b)}: use memory://, rpc:// or redis://`);
}

/** Python's repr of a list of arguments, from the tuple repr Celery uses for argsrepr. */
function listRepr(args: readonly unknown[]): string {
  const tuple = argsRepr(args);
  if (!tuple.startsWith('(') || !tuple.endsWith(')')) return tuple;
  const inner = tuple.slice(1, -1);
  return `[${args.length === 1 && inner.endsWith(',') ? inner.slice(0, -1) : inner}]`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}
