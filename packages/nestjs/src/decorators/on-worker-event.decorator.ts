import type { WorkerEvents } from '@celeriac/core';
import { WORKER_EVENT_METADATA } from '../celeriac.constants.js';

export type WorkerEventName = keyof WorkerEvents & string;

/**
 * Subscribes the method to an event of the worker's `events` emitter, with that event's
 * arguments (for `'task-failed'`: request, error, info). A method may carry several. Only
 * processes that run a worker emit them; a listener that throws or rejects is reported on the
 * worker's `'error'` event, never breaking the worker.
 *
 * @example
 * @OnWorkerEvent('task-failed')
 * onFailed(request: TaskRequest | null, error: Error) { this.alerts.notify(request?.name, error); }
 */
export function OnWorkerEvent<K extends WorkerEventName>(event: K) {
  return <M extends (...args: WorkerEvents[K]) => unknown>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const method = descriptor.value as object;
    const events: readonly WorkerEventName[] = Reflect.getMetadata(WORKER_EVENT_METADATA, method) ?? [];
    Reflect.defineMetadata(WORKER_EVENT_METADATA, [...events, event], method);
  };
}
