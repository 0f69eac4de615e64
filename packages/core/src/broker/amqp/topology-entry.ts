/** One remembered piece of topology: an exchange, a queue, or a binding (queue or exchange-to-exchange). */
import type { BindingSpec, ExchangeBindingSpec, ExchangeSpec, QueueSpec } from '../broker.js';

export type Entry =
  | { kind: 'exchange'; spec: ExchangeSpec }
  | { kind: 'queue'; spec: QueueSpec }
  | { kind: 'binding'; spec: BindingSpec }
  | { kind: 'exchange-binding'; spec: ExchangeBindingSpec };
