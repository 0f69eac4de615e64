/**
 * Per-app codecs and the accept list. Decoding checks the content type against the accept
 * list first (default: JSON only); pickle can never be accepted. zlib compression
 * (Celery's `compression: application/x-gzip`, which is zlib, not gzip; kombu also accepts the
 * names `zlib` and `gzip` there) is undone first.
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

export function createCodecRegistry(options: { accept?: readonly string[]; codecs?: readonly Codec[] } = {}): CodecRegistry {
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
          raw = inflateSync(body);
        } catch (err) {
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
