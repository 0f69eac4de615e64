/**
 * Per-app codecs and the accept list. Decoding checks the content type against the accept
 * list first (default: JSON only); pickle can never be accepted. zlib compression
 * (Celery's `compression: application/x-gzip`, which is zlib, not gzip; kombu also accepts the
 * names `zlib` and `gzip` there) is undone first, and never past `maxInflatedBytes`: a 100 KB
 * body that inflates to 100 MB is refused, not decoded.
 */
import { inflateSync, deflateSync } from 'node:zlib';
import { ConfigurationError } from '../errors/task-errors.js';
import { ContentDisallowedError, DecodeError } from '../errors/serialization-errors.js';
import type { Codec } from './codec.js';
import { createJsonCodec } from './json-codec.js';

const PICKLE = new Set(['pickle', 'application/x-python-serialize']);
export const ZLIB_COMPRESSION = 'application/x-gzip';
/** What kombu (5.2 to 5.6) accepts in the `compression` header for zlib: the type it writes and its aliases. */
const ZLIB_NAMES = new Set<unknown>([ZLIB_COMPRESSION, 'zlib', 'gzip']);

export interface CodecRegistry {
  /** The codec to encode with, by name (`json`). */
  get(name: string): Codec;
  /** Decodes a body, enforcing the accept list and undoing compression. */
  decode(contentType: string | undefined, body: Buffer, compression?: unknown): unknown;
  /** Content types that will be decoded. */
  readonly accepted: readonly string[];
  compress(body: Buffer): Buffer;
}

/** Largest body a compressed message may inflate to, by default: RabbitMQ 4's own maximum message size. */
export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

export interface CodecRegistryOptions {
  /** Content types or serializer names accepted on decode. @defaultValue ['json'] */
  accept?: readonly string[];
  /** Codecs besides JSON. */
  codecs?: readonly Codec[];
  /** Most bytes a compressed body may inflate to; a larger one fails with `DecodeError`. @defaultValue 16 MiB */
  maxInflatedBytes?: number;
}

export function createCodecRegistry(options: CodecRegistryOptions = {}): CodecRegistry {
  const maxInflated = Math.max(1, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
  const byName = new Map<string, Codec>();
  const byType = new Map<string, Codec>();
  for (const c of [createJsonCodec(), ...(options.codecs ?? [])]) {
    byName.set(c.name, c);
    byType.set(c.contentType, c);
  }
  const accepted: string[] = [];
  for (const a of options.accept ?? ['json']) {
    if (PICKLE.has(a)) throw new ConfigurationError('pickle is never accepted: it lets a message run arbitrary code');
    const codec = byName.get(a) ?? byType.get(a);
    if (!codec) throw new ConfigurationError(`accept list names an unknown serializer ${JSON.stringify(a)}`);
    accepted.push(codec.contentType);
  }
  const acceptSet = new Set(accepted);
  return {
    accepted,
    get(name) {
      const c = byName.get(name);
      if (!c) throw new ConfigurationError(`unknown serializer ${JSON.stringify(name)}`);
      return c;
    },
    decode(contentType, body, compression) {
      const type = contentType ?? '';
      if (!acceptSet.has(type)) throw new ContentDisallowedError(type || '(none)', accepted);
      let raw = body;
      if (compression !== undefined && compression !== null) {
        if (!ZLIB_NAMES.has(compression as string)) throw new DecodeError(`unsupported compression ${JSON.stringify(String(compression))}`);
        try {
          // stops inflating as soon as the output would pass the limit
          raw = inflateSync(body, { maxOutputLength: maxInflated });
        } catch (err) {
          if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
            throw new DecodeError(`compressed body inflates past the limit of ${maxInflated} bytes (maxInflatedBytes)`, { cause: err });
          }
          throw new DecodeError('body is marked zlib-compressed but does not inflate', { cause: err });
        }
      }
      return byType.get(type)!.decode(raw);
    },
    compress(body) {
      return deflateSync(body);
    },
  };
}
