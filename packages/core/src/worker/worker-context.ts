/**
 * What a worker needs from its app (a `CeleriacApp` is one): broker, backend, codecs, the
 * producer and topology it sends and declares through, the registered tasks, the app's
 * resolved options, remote control (mingle) and the app's lifecycle (a worker stopped by a
 * signal closes the app).
 */
import type { ResolvedAppOptions } from '../app-options.js';
import type { ResultBackend } from '../backends/result-backend.js';
import type { BrokerContext } from '../context.js';
import type { ControlClient } from '../control/control-client.js';
import type { Producer } from '../producer/producer.js';
import type { Topology } from '../producer/topology.js';
import type { RegisteredTask } from '../registry/task.js';

/** The registered tasks by name. */
export interface TaskLookup {
  readonly tasks: ReadonlyMap<string, RegisteredTask>;
}

export interface WorkerContext extends BrokerContext, TaskLookup {
  readonly backend: ResultBackend;
  readonly producer: Producer;
  readonly topology: Topology;
  readonly options: ResolvedAppOptions;
  readonly control: ControlClient;
  connect(): Promise<void>;
  close(): Promise<void>;
}
