// @celeriac/core — the public API, grouped by the flow of a task.

// composition root
export { createApp, type CeleriacApp } from './app.js';
export type { AppOptions } from './app-options.js';

// tasks
export type { Task, TaskHandle, TaskHandler, RegisteredTask, Prefix } from './registry/task.js';
export type { TaskOptions, ErrorMatcher } from './registry/task-options.js';
export { currentTask, type TaskContext, type RetryOptions } from './worker/task-context.js';

// producing
export type { ApplyOptions } from './producer/apply-options.js';
export { SEND_DEFAULTS } from './producer/resolve-send.js';
export type { RoutesTable, RouteTarget } from './producer/routing.js';
export { Producer, type SentInfo, type ProducerEvents } from './producer/producer.js';

// canvas
export { Signature, GroupSignature, type SignatureSender } from './canvas/signature.js';
export type { SignatureDict, SignatureRef } from './canvas/signature-dict.js';
export { chain, group, chord, xmap, xstarmap, chunks } from './canvas/compose.js';

// protocol (pure)
export { buildTaskMessage, type BuildTaskInput } from './protocol/build-task-message.js';
export { parseTaskMessage, type RawTaskMessage } from './protocol/parse-task-message.js';
export type { TaskHeaders, TaskEmbed, TaskRequest } from './protocol/task-message.js';
export type { OutgoingMessage, MessageProperties, Route } from './protocol/message.js';
export { TaskState, READY_STATES, EXCEPTION_STATES, PROPAGATE_STATES, isReady } from './protocol/states.js';
export { errorToExcInfo, remoteErrorFromMeta, type ResultMeta, type ExcInfo } from './protocol/result-meta.js';
export { formatCeleryDate, parseCeleryDate } from './protocol/time.js';
export { pythonRepr, argsRepr, kwargsRepr, resultRepr } from './protocol/python-repr.js';

// serialization
export type { Codec } from './serialization/codec.js';
export { createJsonCodec } from './serialization/json-codec.js';
export { createCodecRegistry, DEFAULT_MAX_INFLATED_BYTES, type CodecRegistry, type CodecRegistryOptions } from './serialization/codec-registry.js';

// brokers
export type {
  Broker, BrokerEvents, BrokerState, BrokerStats, Delivery, QueueSpec, ExchangeSpec, BindingSpec, ConsumeOptions, Subscription,
  BrokerCapabilities, BrokerLiveness, DelayedDelivery, DelayedDeliveryOptions, DeliveryHandler, ExchangeBindingSpec,
} from './broker/broker.js';
export { capabilitiesOf, DEFAULT_CAPABILITIES } from './broker/capabilities.js';
export { MemoryBroker } from './broker/memory/memory-broker.js';
export { AmqpBroker, type AmqpBrokerOptions } from './broker/amqp/amqp-broker.js';
export type { RedisBrokerOptions } from './broker/redis/redis-broker.js';
export {
  rabbitPermissions, setPermissionsCommand, escapeName, RABBIT_ROLES, type RabbitRole, type RoleNames, type RabbitPermissions,
} from './broker/amqp/permissions.js';

// TLS and secrets (RabbitMQ and Redis)
export type { TlsOptions, TlsVerify, PemSource, SecretSource } from './tls/tls-options.js';
export type { LoginMethod } from './tls/connection-env.js';
export type { RedisConnectionOptions } from './backends/redis-connection.js';
export { undecodableFields, type FieldValue, type TypedFieldValue, type UndecodableFields } from './protocol/field-table/field-value.js';

// worker
export { Worker, type WorkerState } from './worker/worker.js';
export type { HeldRequest } from './worker/held-request.js';
export type { WorkerContext, TaskLookup } from './worker/worker-context.js';
export type { BrokerContext, ControlContext, EventsContext } from './context.js';
export type { ControlledWorker } from './control/controlled-worker.js';
export type { WorkerOptions } from './worker/worker-options.js';
export type { WorkerEvents } from './worker/worker-events.js';
export { WorkerCounters, COUNTER_REASONS, type CounterReason, type WorkerCounterValues } from './worker/worker-counters.js';
export { DELIVERY_COUNT_HEADER, LAST_ERROR_HEADER, failedDeliveries } from './worker/delivery-count.js';
export { isTransientError } from './worker/transient-error.js';

// monitoring and remote control
export { ControlClient, type BroadcastOptions, type ControlReplies } from './control/control-client.js';
export { EventReceiver, type CeleryEvent, type EventReceiverEvents } from './events/event-receiver.js';
export { EventDispatcher } from './events/event-dispatcher.js';

// result backends and results
export type { ResultBackend, StoreTarget, WaitOptions } from './backends/result-backend.js';
export { MemoryBackend } from './backends/memory-backend.js';
export { RpcBackend } from './backends/rpc-backend.js';
export { RedisBackend } from './backends/redis-backend.js';
export { AsyncResult, GroupResult, type GetOptions } from './result/async-result.js';
export type { ResultTuple } from './result/result-tuple.js';

// errors
export * from './errors/index.js';

// utilities
export { TypedEmitter } from './util/typed-emitter.js';
export { createConsoleLogger, parseLogLevel, setLogLevel, logsAt, type Logger, type LogLevel } from './util/logger.js';
export { logText } from './util/log-text.js';
export { LogLimiter, type LogLimiterOptions } from './util/log-limiter.js';

// instrumentation (tracing and timing hooks; see @celeriac/otel)
export type {
  Instrumentation, PublishInfo, PublishWrapper, TaskRunInfo, TaskRunOutcome, TaskRunWrapper,
} from './instrumentation/instrumentation.js';
