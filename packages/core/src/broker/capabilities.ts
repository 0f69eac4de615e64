/** A broker's capabilities, with the defaults for a broker that declares none. */
import type { Broker, BrokerCapabilities } from './broker.js';

/**
 * Assumed for a `Broker` that does not declare `capabilities` (one written before they
 * existed): a shared server that routes every exchange type and honours priorities and
 * per-message TTL, as RabbitMQ does, with no broker-side delayed delivery.
 */
export const DEFAULT_CAPABILITIES: BrokerCapabilities = Object.freeze({
  exchangeTypes: Object.freeze(['direct', 'topic', 'fanout', 'headers'] as const),
  exchangeBindings: true,
  priorities: true,
  perMessageTtl: true,
  nativeDelayedDelivery: false,
  livePrefetch: true,
  shared: true,
});

export function capabilitiesOf(broker: Pick<Broker, 'capabilities'>): BrokerCapabilities {
  return broker.capabilities ?? DEFAULT_CAPABILITIES;
}
