/**
 * Broker-neutral message shapes. `OutgoingMessage` is what a producer hands to a broker;
 * `Delivery` (in broker/broker.ts) is what a consumer receives.
 */
export interface MessageProperties {
  contentType: string;
  contentEncoding: string;
  /** Application headers (AMQP `headers` table). */
  headers: Record<string, unknown>;
  correlationId?: string;
  replyTo?: string;
  /** 2 = persistent (tasks), 1 = transient (results, events, control). */
  deliveryMode?: 1 | 2;
  priority?: number;
  /** Per-message TTL in milliseconds, as a string (AMQP `expiration`). */
  expiration?: string;
  messageId?: string;
}

export interface OutgoingMessage {
  body: Buffer;
  properties: MessageProperties;
}

/** Where a message is published: an exchange (`''` is the default exchange) and a routing key. */
export interface Route {
  exchange: string;
  routingKey: string;
}
