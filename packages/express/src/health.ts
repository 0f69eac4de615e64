/**
 * Health: is the broker connected, and (when the router was given one) is the worker
 * consuming? The broker's liveness comes from `AmqpBroker.liveness()` for RabbitMQ and from
 * `broker.state` otherwise.
 */
import type { AmqpBroker, Broker, Worker } from '@celeriac/core';

export interface BrokerHealth {
  kind: string;
  state: string;
  connected: boolean;
  /** Active consumers on this connection (RabbitMQ only). */
  consumers?: number;
  /** Unix ms of the last delivery on this connection (RabbitMQ only). */
  lastDeliveryAt?: number | null;
  /** Publishes waiting for the connection (RabbitMQ only). */
  buffered?: number;
}

export interface WorkerHealth {
  hostname: string;
  state: string;
  consuming: boolean;
  queues: readonly string[];
  active: number;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  broker: BrokerHealth;
  /** Null when the router was given no worker. */
  worker: WorkerHealth | null;
  /** Why the status is not ok; empty when it is. */
  reasons: string[];
}

/** Checks the broker and, if given, the worker. Pure apart from reading their state. */
export function checkHealth(broker: Broker, worker?: Worker): HealthReport {
  const reasons: string[] = [];
  let b: BrokerHealth;
  // duck-typed rather than `instanceof`, so an ESM router works with a CJS app and back
  const live = (broker as Partial<Pick<AmqpBroker, 'liveness'>>).liveness;
  if (typeof live === 'function') {
    const l = live.call(broker);
    b = { kind: broker.kind, state: broker.state, connected: l.connected, consumers: l.consumers, lastDeliveryAt: l.lastDeliveryAt, buffered: l.buffered };
  } else {
    b = { kind: broker.kind, state: broker.state, connected: broker.state === 'ready' };
  }
  if (!b.connected) reasons.push(`broker is not connected (state ${broker.state})`);
  let w: WorkerHealth | null = null;
  if (worker) {
    const sub = worker.subscription;
    // AmqpSubscription exposes `active` (false while the channel is being re-opened)
    const subActive = sub !== null && (sub as { active?: unknown }).active !== false;
    const consuming = worker.state === 'running' && subActive && b.connected;
    w = { hostname: worker.hostname, state: worker.state, consuming, queues: [...worker.options.queues], active: worker.active.size };
    if (worker.state !== 'running') reasons.push(`worker is ${worker.state}`);
    else if (!consuming) reasons.push('worker is not consuming');
  }
  return { status: reasons.length === 0 ? 'ok' : 'unavailable', broker: b, worker: w, reasons };
}
