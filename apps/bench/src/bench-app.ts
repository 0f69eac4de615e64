/**
 * The Celeriac apps of the bench: one per scenario (so one fresh connection each), on the
 * run's own queue and exchanges, with the no-op task registered.
 */
import { createApp, type CeleriacApp, type Task } from '@celeriac/core';
import type { AppNames } from './bench-resources.js';
import { NOOP_TASK } from './message-template.js';

// says it drops everything, so the worker does not even build its per-task log lines (as with pino or winston at warn)
const silent = { debug() {}, info() {}, warn() {}, error() {}, isLevelEnabled: () => false };

export interface BenchApp {
  app: CeleriacApp;
  /** `bench.noop(i)`: does nothing and returns `i`. */
  noop: Task<[number], number>;
}

/**
 * `backend` null stores no results (throughput runs); `rpc://` or a redis URL for round trips.
 * `brokerUrl` is RabbitMQ's, or a redis:// URL with `redisKeyPrefix` (the run's own keys).
 */
export function benchApp(brokerUrl: string, names: AppNames, backend: string | null, resultExpires = 600, redisKeyPrefix?: string): BenchApp {
  const app = createApp({
    broker: brokerUrl,
    backend,
    defaultQueue: names.queue,
    controlExchange: names.controlExchange,
    eventExchange: names.eventExchange,
    resultExpires,
    amqp: { connectionName: `celeriac-bench ${names.queue}` },
    ...(redisKeyPrefix !== undefined ? { redisBroker: { globalKeyprefix: redisKeyPrefix } } : {}),
    logger: silent,
  });
  const noop = app.task(NOOP_TASK, (i: number) => i);
  return { app, noop };
}
