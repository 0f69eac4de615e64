/**
 * The JSON envelope kombu's Redis transport pushes onto a queue's list: the body base64-encoded,
 * hyphenated `content-type` / `content-encoding`, the application headers, and the AMQP-like
 * properties with `delivery_info`, `delivery_tag` (a fresh UUID per publish) and
 * `body_encoding: 'base64'`. Pure.
 */
import { randomUUID } from 'node:crypto';
import { PublishError } from '../../errors/broker-errors.js';
import type { MessageProperties, OutgoingMessage, Route } from '../../protocol/message.js';

export interface KombuDeliveryInfo {
  exchange: string;
  routing_key: string;
  redelivered?: boolean;
  [key: string]: unknown;
}

export interface KombuProperties {
  body_encoding?: string;
  delivery_tag: string;
  delivery_info: KombuDeliveryInfo;
  delivery_mode?: number;
  priority?: number;
  correlation_id?: string;
  reply_to?: string;
  expiration?: string;
  message_id?: string;
  [key: string]: unknown;
}

export interface KombuEnvelope {
  body: string;
  'content-encoding': string | null;
  'content-type': string | null;
  headers: Record<string, unknown>;
  properties: KombuProperties;
}

/** What a consumer reads out of an envelope. */
export interface OpenedEnvelope {
  body: Buffer;
  properties: MessageProperties;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  deliveryTag: string;
}

/** Builds the envelope for one publish (each publish gets its own delivery tag). */
export function toEnvelope(message: OutgoingMessage, route: Route, deliveryTag: string = randomUUID()): KombuEnvelope {
  const p = message.properties;
  const properties: KombuProperties = {
    body_encoding: 'base64',
    delivery_tag: deliveryTag,
    delivery_info: { exchange: route.exchange, routing_key: route.routingKey },
    delivery_mode: p.deliveryMode ?? 2,
    priority: p.priority ?? 0,
  };
  if (p.correlationId !== undefined) properties.correlation_id = p.correlationId;
  if (p.replyTo !== undefined) properties.reply_to = p.replyTo;
  if (p.expiration !== undefined) properties.expiration = p.expiration;
  if (p.messageId !== undefined) properties.message_id = p.messageId;
  return {
    body: message.body.toString('base64'),
    'content-encoding': p.contentEncoding,
    'content-type': p.contentType,
    headers: p.headers ?? {},
    properties,
  };
}

/** JSON text of an envelope; headers JSON cannot carry (a bigint, a cycle) fail as a PublishError. */
export function stringifyEnvelope(envelope: KombuEnvelope): string {
  try {
    return JSON.stringify(envelope);
  } catch (err) {
    throw new PublishError(`cannot encode the message for Redis as JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Parses list item text into an envelope; null when it is not one (not JSON, no properties or tag). */
export function parseEnvelope(text: string): KombuEnvelope | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const env = v as Partial<KombuEnvelope>;
  const props = env.properties;
  if (typeof props !== 'object' || props === null || typeof props.delivery_tag !== 'string') return null;
  if (typeof props.delivery_info !== 'object' || props.delivery_info === null) props.delivery_info = { exchange: '', routing_key: '' };
  if (typeof env.headers !== 'object' || env.headers === null || Array.isArray(env.headers)) env.headers = {};
  return env as KombuEnvelope;
}

/** Reads body and properties out of an envelope. */
export function openEnvelope(env: KombuEnvelope): OpenedEnvelope {
  const p = env.properties;
  const raw = typeof env.body === 'string' ? env.body : env.body == null ? '' : JSON.stringify(env.body);
  const body = p.body_encoding === 'base64' ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const properties: MessageProperties = {
    contentType: env['content-type'] ?? 'application/octet-stream',
    contentEncoding: env['content-encoding'] ?? 'binary',
    headers: env.headers,
  };
  if (typeof p.correlation_id === 'string') properties.correlationId = p.correlation_id;
  if (typeof p.reply_to === 'string') properties.replyTo = p.reply_to;
  if (p.delivery_mode === 1 || p.delivery_mode === 2) properties.deliveryMode = p.delivery_mode;
  if (typeof p.priority === 'number') properties.priority = p.priority;
  if (typeof p.expiration === 'string') properties.expiration = p.expiration;
  if (typeof p.message_id === 'string') properties.messageId = p.message_id;
  const info = p.delivery_info;
  return {
    body,
    properties,
    exchange: typeof info.exchange === 'string' ? info.exchange : '',
    routingKey: typeof info.routing_key === 'string' ? info.routing_key : '',
    redelivered: info.redelivered === true,
    deliveryTag: p.delivery_tag,
  };
}

/** The envelope as kombu restores it: `redelivered` set in the headers and in `delivery_info`. */
export function markRedelivered(env: KombuEnvelope): KombuEnvelope {
  return {
    ...env,
    headers: { ...env.headers, redelivered: true },
    properties: { ...env.properties, delivery_info: { ...env.properties.delivery_info, redelivered: true } },
  };
}
