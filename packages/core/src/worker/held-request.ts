/** A request the worker holds, shared by the worker's parts (scheduler, settlement, runner) and remote control. */
import type { Delivery } from '../broker/broker.js';
import type { TaskRunOutcome } from '../instrumentation/instrumentation.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { RegisteredTask } from '../registry/task.js';

/** Parsed message, its delivery, and run-time state. */
export interface HeldRequest {
  req: TaskRequest;
  delivery: Delivery;
  task: RegisteredTask;
  receivedAt: number;
  startedAt: number | null;
  abort: AbortController;
  acknowledged: boolean;
  /** How the run ended (for instrumentation); null until it did. */
  outcome?: TaskRunOutcome | null;
  /** Earlier deliveries of this message that ended without an outcome. */
  failedDeliveries: number;
  /** Size of the message body, for the byte bound of the buffers. */
  bytes: number;
}
