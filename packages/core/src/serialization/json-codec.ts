import { Buffer, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { DecodeError, EncodeError } from '../errors/serialization-errors.js';
import { formatCeleryDate, parseCeleryDate } from '../protocol/time.js';
import type { Codec } from './codec.js';
import { parseJson } from './lenient-json.js';

/** Options of {@link createJsonCodec}. */
export interface JsonCodecOptions {
  /**
   * Write kombu ≥ 5.3 type markers (`{"__type__": "datetime", "__value__": "…+00:00"}`) for
   * dates and bytes. Turn on only when every Python peer runs kombu ≥ 5.3: kombu 5.2 hands the
   * marker objects to task code as plain dicts. Decoding always understands markers.
   *
   * @defaultValue false
   */
  readonly typeMarkers?: boolean;
}

const DEFAULT_OPTIONS: Readonly<Required<JsonCodecOptions>> = Object.freeze({ typeMarkers: false });

/** Plain data shallower than this is checked and handed to `JSON.stringify`; the rest takes the slow path. */
const MAX_FAST_DEPTH = 64;

/**
 * Deepest nesting encoded. Python's `json.dumps` gives up near its recursion limit (1000), and
 * kombu turns that into `EncodeError`; so does this codec, instead of overflowing the stack.
 */
export const MAX_ENCODE_DEPTH = 1000;

/**
 * The `json` codec, wire-compatible with kombu's JSON serializer.
 *
 * Encoding: plain data goes straight through `JSON.stringify`. A `bigint` becomes a bare integer
 * literal, as Python writes big ints. A `Date` becomes `"2024-01-02T03:04:05.678000Z"` (kombu 5.2's
 * aware-UTC style) or, with `typeMarkers`, a `datetime` marker. Bytes (`Buffer`/`Uint8Array`)
 * throw {@link EncodeError} like kombu 5.2, or with `typeMarkers` become a `bytes` marker (UTF-8
 * text) or a `base64` marker. `undefined` becomes `null` in arrays and at the top level and is
 * dropped from objects. `NaN`/`±Infinity` are written as Python's `json` writes them (`NaN`,
 * `Infinity`, `-Infinity`), which kombu and this codec read back; never silently as `null`.
 * Integers between 2^53 and 10^21 are written with their exact digits (2^60 as
 * `1152921504606846976`, not `JSON.stringify`'s `1152921504606847000`). Maps, Sets, other binary views,
 * functions, symbols and circular structures throw {@link EncodeError} naming the value and where
 * it sits.
 *
 * Decoding: UTF-8, then JSON as Python reads it (see {@link parseJson}: `NaN`, `Infinity` and
 * big integers as `bigint` are accepted), then kombu ≥ 5.3 markers are revived: `datetime` →
 * `Date`; `date` → `'YYYY-MM-DD'`; `time` and `decimal` → string; `uuid` → canonical string;
 * `bytes`/`base64` → `Buffer`. An unknown marker type throws {@link DecodeError}, as kombu does.
 */
export function createJsonCodec(options: JsonCodecOptions = {}): Codec {
  const typeMarkers = options.typeMarkers ?? DEFAULT_OPTIONS.typeMarkers;
  // Validates and decodes in one native pass; keeps a BOM so it fails like Python's json.loads.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return Object.freeze({
    name: 'json',
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    encode: (value: unknown): Buffer => Buffer.from(encodeJson(value, typeMarkers), 'utf8'),
    decode: (body: Buffer): unknown => decodeJson(body, utf8),
  });
}

function encodeJson(value: unknown, typeMarkers: boolean): string {
  try {
    const text = isPlainData(value, 0) ? JSON.stringify(value) : encodeSlow(value, typeMarkers);
    return text ?? 'null';
  } catch (err) {
    // a toJSON() that keeps returning new objects, or a stack already nearly full
    if (err instanceof RangeError) throw new EncodeError(`cannot encode this value as JSON: ${err.message}`, { cause: err });
    throw err;
  }
}

/** True when `JSON.stringify` alone writes exactly what the codec would. */
function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return isStringifyExact(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_FAST_DEPTH) return false; // deep or circular: the slow path says which
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) if (!isPlainData(record[key], depth + 1)) return false;
  return true;
}

const formatStep = (p: string | number): string =>
  typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p.length > 40 ? `${p.slice(0, 40)}…` : p)}]`;

/** `$.a[0].b`; a deep path keeps its first and last steps. */
const formatPath = (path: readonly (string | number)[]): string =>
  path.length <= 24
    ? '$' + path.map(formatStep).join('')
    : `$${path.slice(0, 12).map(formatStep).join('')}…(${path.length - 20} levels)…${path.slice(-8).map(formatStep).join('')}`;

const typeName = (value: object): string => value.constructor?.name ?? 'object';

/** Writes what `JSON.stringify` would, plus the conversions above; `undefined` means "omit". */
function encodeSlow(root: unknown, typeMarkers: boolean): string | undefined {
  const path: (string | number)[] = [];
  const ancestors: object[] = [];

  const fail = (what: string, hint: string, cause?: unknown): never => {
    throw new EncodeError(`cannot encode ${what} as JSON (at ${formatPath(path)}): ${hint}`, { cause });
  };

  const writeDate = (date: Date): string => {
    let iso = '';
    try {
      iso = formatCeleryDate(date);
    } catch (err) {
      fail('this Date', (err as Error).message, err);
    }
    return typeMarkers ? `{"__type__":"datetime","__value__":"${iso}"}` : `"${iso.slice(0, -6)}Z"`;
  };

  const writeBytes = (bytes: Uint8Array): string => {
    if (!typeMarkers) {
      fail(`a ${typeName(bytes)}`, 'kombu 5.2 JSON has no bytes type; send text or base64, or enable typeMarkers');
    }
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return isUtf8(buffer)
      ? `{"__type__":"bytes","__value__":${JSON.stringify(buffer.toString('utf8'))}}`
      : `{"__type__":"base64","__value__":"${buffer.toString('base64')}"}`;
  };

  const write = (input: unknown, key: string): string | undefined => {
    let value = input;
    if (typeof value === 'object' && value !== null) {
      if (value instanceof Date) return writeDate(value);
      if (value instanceof Uint8Array) return writeBytes(value);
      if (value instanceof Map) return fail('a Map', 'convert it first, e.g. Object.fromEntries(map)');
      if (value instanceof Set) return fail('a Set', 'convert it to an array first, e.g. [...set]');
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
        return fail(`a ${typeName(value)}`, 'use an array of numbers, or a Buffer with typeMarkers');
      }
      if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) {
        value = value.valueOf();
      } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        const replaced: unknown = (value as { toJSON(key: string): unknown }).toJSON(key);
        if (replaced !== value) return write(replaced, key);
      }
    }
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'number':
        return writeNumber(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'bigint':
        return value.toString();
      case 'undefined':
        return undefined;
      case 'function':
        return fail(`a function (${value.name || 'anonymous'})`, 'functions cannot be sent to another process');
      case 'symbol':
        return fail(`a symbol (${value.toString()})`, 'symbols cannot be sent to another process');
    }
    if (value === null) return 'null';
    if (ancestors.length >= MAX_ENCODE_DEPTH) return fail(`a value nested deeper than ${MAX_ENCODE_DEPTH} levels`, 'Python cannot decode it either');
    if (ancestors.includes(value as object)) return fail('a circular structure', 'the value contains itself');
    ancestors.push(value as object);
    const parts: string[] = [];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        parts.push(write(value[i], String(i)) ?? 'null');
        path.pop();
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const name of Object.keys(record)) {
        path.push(name);
        const member = write(record[name], name);
        path.pop();
        if (member !== undefined) parts.push(`${JSON.stringify(name)}:${member}`);
      }
    }
    ancestors.pop();
    return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
  };

  return write(root, '');
}

/**
 * True when `JSON.stringify` writes `n` so that Python reads the same number: not for NaN and
 * ±Infinity (it writes `null`), nor for integers between 2^53 and 10^21, which it writes with the
 * shortest digits that round-trip in JavaScript (2^60 as `1152921504606847000`), a different
 * integer for Python.
 */
function isStringifyExact(n: number): boolean {
  const abs = Math.abs(n);
  return abs <= Number.MAX_SAFE_INTEGER || (abs >= 1e21 && abs !== Infinity);
}

/** A number as Python's `json` would write the same value. */
function writeNumber(n: number): string {
  if (isStringifyExact(n)) return String(n);
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return BigInt(n).toString(); // the exact integer this double holds
}

function decodeJson(body: Uint8Array, utf8: TextDecoder): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (err) {
    throw new DecodeError('cannot decode a JSON message body that is not valid UTF-8', { cause: err });
  }
  const value = parseJson(text);
  return text.includes('"__type__"') ? reviveMarkers(value) : value;
}

/** Replaces kombu ≥ 5.3 marker objects bottom-up, as `json.loads(object_hook=…)` does. */
function reviveMarkers(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveMarkers(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const key of keys) {
    const member = record[key];
    const revived = reviveMarkers(member);
    if (revived !== member) {
      Object.defineProperty(record, key, { value: revived, enumerable: true, writable: true, configurable: true });
    }
  }
  const isMarker = keys.length === 2 && Object.hasOwn(record, '__type__') && Object.hasOwn(record, '__value__');
  return isMarker ? fromMarker(record.__type__, record.__value__) : record;
}

function fromMarker(type: unknown, value: unknown): unknown {
  const text = (): string => {
    if (typeof value !== 'string') {
      throw new DecodeError(`type marker ${JSON.stringify(type)} needs a string __value__, got ${typeof value}`);
    }
    return value;
  };
  switch (type) {
    case 'datetime':
      return parseCeleryDate(text());
    case 'date':
      return `${parseCeleryDate(text()).toISOString().slice(0, 10)}`;
    case 'time':
      if (!/^\d{2}(:\d{2}){0,2}([.,]\d+)?([Zz]|[+-]\d{2}(:?\d{2}(:?\d{2}(\.\d+)?)?)?)?$/.test(text())) {
        throw new DecodeError(`invalid time ${JSON.stringify(value)} in a "time" type marker`);
      }
      return value;
    case 'decimal':
      return typeof value === 'number' ? String(value) : text();
    case 'uuid':
      return uuidFromMarker(value);
    case 'bytes':
      return Buffer.from(text(), 'utf8');
    case 'base64':
      return Buffer.from(text(), 'base64');
    default:
      throw new DecodeError(`unsupported JSON type marker __type__=${JSON.stringify(type)}`);
  }
}

/** `uuid.UUID(hex=…, version=…)`: tolerant of braces, dashes and `urn:uuid:`; returns 8-4-4-4-12. */
function uuidFromMarker(value: unknown): string {
  const { hex, version } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const digits =
    typeof hex === 'string'
      ? hex.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^\{+|\}+$/g, '').replaceAll('-', '').toLowerCase()
      : '';
  if (!/^[0-9a-f]{32}$/.test(digits)) {
    throw new DecodeError(`invalid "uuid" type marker ${JSON.stringify(value)}: expected {"hex": 32 hex digits}`);
  }
  const chars = [...digits];
  if (version !== undefined && version !== null) {
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 8) {
      throw new DecodeError(`invalid "uuid" type marker: illegal version ${JSON.stringify(version)}`);
    }
    // Python's UUID(version=…) forces the RFC 4122 variant and the version nibble.
    chars[12] = version.toString(16);
    chars[16] = ((parseInt(chars[16], 16) & 0x3) | 0x8).toString(16);
  }
  const s = chars.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
