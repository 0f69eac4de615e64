/**
 * The one AMQP field-table encoder: every header table and every queue, exchange and consumer
 * argument table Celeriac sends goes through it (it replaces amqplib's own, see
 * `broker/amqp/amqplib-compat.ts`). Type rules: `field-value.ts`.
 */
import { EncodeError } from '../../errors/serialization-errors.js';
import { formatFieldPath, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN } from './field-value.js';

const TWO_31 = 2 ** 31;
const TWO_63 = 2 ** 63;

const TAG = {
  V: 0x56, t: 0x74, S: 0x53, I: 0x49, l: 0x6c, L: 0x4c, d: 0x64, f: 0x66, x: 0x78, T: 0x54, D: 0x44, A: 0x41, F: 0x46,
} as const;

/** A value that cannot be encoded; the path to it is filled in while the error travels up. */
class FieldProblem extends Error {
  readonly path: (string | number)[] = [];
}

const problem = (message: string): FieldProblem => new FieldProblem(message);

/**
 * Writes `table` (its enumerable keys, inherited ones too, as amqplib does; `undefined` values
 * are left out) at `offset`, prefixed by its byte length, and returns the bytes written.
 * Same contract as amqplib's `codec.encodeTable`.
 *
 * @throws EncodeError naming the key path, for a value no AMQP peer would read back the same
 *   (`NaN`, a bigint beyond 64 bits, a `Map`...) or a table larger than `buffer`.
 */
export function encodeTable(buffer: Buffer, table: object, offset: number): number {
  try {
    return writeTable(buffer, table, offset) - offset;
  } catch (err) {
    if (!(err instanceof FieldProblem)) throw err;
    const where = err.path.length === 0 ? '' : ` at ${formatFieldPath(err.path)}`;
    throw new EncodeError(`cannot send this AMQP header or argument${where}: ${err.message}`);
  }
}

function space(buffer: Buffer, offset: number, size: number): void {
  if (offset + size > buffer.length) {
    throw problem(`the table is larger than the ${buffer.length}-byte encoding buffer; send large data in the body`);
  }
}

function writeTable(buffer: Buffer, table: object, offset: number): number {
  space(buffer, offset, 4);
  let at = offset + 4;
  const record = table as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (value === undefined) continue;
    try {
      const len = Buffer.byteLength(key);
      if (len > 255) throw problem(`the key is ${len} bytes long; AMQP keys are at most 255`);
      space(buffer, at, 1 + len);
      buffer[at] = len;
      buffer.write(key, at + 1, len, 'utf8');
      at = writeValue(buffer, value, at + 1 + len);
    } catch (err) {
      if (err instanceof FieldProblem) err.path.unshift(key);
      throw err;
    }
  }
  buffer.writeUInt32BE(at - offset - 4, offset);
  return at;
}

function writeArray(buffer: Buffer, array: readonly unknown[], offset: number): number {
  space(buffer, offset, 4);
  let at = offset + 4;
  for (let i = 0; i < array.length; i++) {
    try {
      at = writeValue(buffer, array[i] ?? null, at);
    } catch (err) {
      if (err instanceof FieldProblem) err.path.unshift(i);
      throw err;
    }
  }
  buffer.writeUInt32BE(at - offset - 4, offset);
  return at;
}

function writeValue(buffer: Buffer, value: unknown, at: number): number {
  switch (typeof value) {
    case 'string':
      return writeLongString(buffer, TAG.S, value, at);
    case 'number':
      return writeNumber(buffer, value, at);
    case 'bigint':
      return writeInteger(buffer, value, at);
    case 'boolean':
      space(buffer, at, 2);
      buffer[at] = TAG.t;
      buffer[at + 1] = value ? 1 : 0;
      return at + 2;
    case 'undefined':
      space(buffer, at, 1);
      buffer[at] = TAG.V;
      return at + 1;
    case 'object':
      return writeObject(buffer, value, at);
    default:
      throw problem(`a ${typeof value} cannot be sent to another process`);
  }
}

function writeObject(buffer: Buffer, value: object | null, at: number): number {
  if (value === null) {
    space(buffer, at, 1);
    buffer[at] = TAG.V;
    return at + 1;
  }
  if (Array.isArray(value)) {
    space(buffer, at, 1);
    buffer[at] = TAG.A;
    return writeArray(buffer, value, at + 1);
  }
  if (value instanceof Uint8Array) return writeBytes(buffer, value, at);
  if (value instanceof Date) return writeTimestamp(buffer, value, at);
  if (isTyped(value)) return writeTyped(buffer, value, at);
  if (value instanceof Map || value instanceof Set) throw problem(`a ${value.constructor.name} has no AMQP form; convert it to an object or array first`);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) throw problem(`a ${value.constructor.name} has no AMQP form; use a Buffer`);
  space(buffer, at, 1);
  buffer[at] = TAG.F;
  return writeTable(buffer, value, at + 1);
}

function writeNumber(buffer: Buffer, n: number, at: number): number {
  if (Number.isInteger(n) && n >= -TWO_63 && n < TWO_63 && !Object.is(n, -0)) {
    if (n >= INT32_MIN && n <= INT32_MAX) {
      space(buffer, at, 5);
      buffer[at] = TAG.I;
      buffer.writeInt32BE(n, at + 1);
      return at + 5;
    }
    return writeInt64(buffer, BigInt(n), n >= TWO_31, at);
  }
  return writeDouble(buffer, n, at);
}

function writeInteger(buffer: Buffer, n: bigint, at: number): number {
  if (n < INT64_MIN || n > INT64_MAX) {
    throw problem(`${n} does not fit in 64 bits; no AMQP integer type (and no py-amqp reader) holds it; send it in the body`);
  }
  if (n >= INT32_MIN && n <= INT32_MAX) return writeNumber(buffer, Number(n), at);
  return writeInt64(buffer, n, n > 0n, at);
}

/** `l` for positive values (read right by py-amqp and RabbitMQ alike), `L` for negative ones (py-amqp reads `l` unsigned). */
function writeInt64(buffer: Buffer, n: bigint, positive: boolean, at: number): number {
  space(buffer, at, 9);
  buffer[at] = positive ? TAG.l : TAG.L;
  buffer.writeBigInt64BE(n, at + 1);
  return at + 9;
}

function writeDouble(buffer: Buffer, n: number, at: number): number {
  if (!Number.isFinite(n)) {
    throw problem(
      `${n} cannot travel in an AMQP header: RabbitMQ closes the connection (541 INTERNAL_ERROR) when it reads a non-finite double; ` +
        'send it in the body, where it is written as Python writes it',
    );
  }
  space(buffer, at, 9);
  buffer[at] = TAG.d;
  buffer.writeDoubleBE(n, at + 1);
  return at + 9;
}

function writeLongString(buffer: Buffer, tag: number, text: string, at: number): number {
  // 3 bytes per UTF-16 unit is the most UTF-8 can need; only when that may not fit, measure first
  if (at + 5 + text.length * 3 > buffer.length) space(buffer, at, 5 + Buffer.byteLength(text));
  buffer[at] = tag;
  const len = buffer.write(text, at + 5, 'utf8');
  buffer.writeUInt32BE(len, at + 1);
  return at + 5 + len;
}

function writeBytes(buffer: Buffer, bytes: Uint8Array, at: number): number {
  space(buffer, at, 5 + bytes.length);
  buffer[at] = TAG.x;
  buffer.writeUInt32BE(bytes.length, at + 1);
  buffer.set(bytes, at + 5);
  return at + 5 + bytes.length;
}

function writeTimestamp(buffer: Buffer, when: unknown, at: number): number {
  let seconds: bigint;
  if (when instanceof Date) {
    const ms = when.getTime();
    if (Number.isNaN(ms)) throw problem('an invalid Date cannot be sent');
    seconds = BigInt(Math.floor(ms / 1000));
  } else if (typeof when === 'number' && Number.isInteger(when)) {
    seconds = BigInt(when);
  } else if (typeof when === 'bigint') {
    seconds = when;
  } else {
    throw problem('a timestamp needs a Date or whole seconds');
  }
  if (seconds < 0n || seconds >= 2n ** 64n) throw problem('an AMQP timestamp counts whole seconds from 1970 and cannot be negative');
  space(buffer, at, 9);
  buffer[at] = TAG.T;
  buffer.writeBigUInt64BE(seconds, at + 1);
  return at + 9;
}

/** Every type name amqplib's explicit form knows; another name makes an ordinary table. */
const AMQPLIB_TYPES = new Set([
  'timestamp', 'decimal', 'float', 'double', 'float64', 'int', 'int32', 'long', 'int64',
  'byte', 'int8', 'unsignedbyte', 'uint8', 'short', 'int16', 'unsignedshort', 'uint16', 'unsignedint', 'uint32',
]);

/** amqplib's explicit form: exactly the keys `!` (one of amqplib's type names) and `value`. */
function isTyped(value: object): value is { '!': string; value: unknown } {
  const type = (value as { '!'?: unknown })['!'];
  return typeof type === 'string' && AMQPLIB_TYPES.has(type) && Object.hasOwn(value, 'value') && Object.keys(value).length === 2;
}

/** amqplib's explicit form, limited to the types py-amqp reads back as written. */
function writeTyped(buffer: Buffer, typed: { '!': string; value: unknown }, at: number): number {
  const v = typed.value;
  switch (typed['!']) {
    case 'timestamp':
      return writeTimestamp(buffer, v, at);
    case 'double':
    case 'float64':
      if (typeof v !== 'number') break;
      return writeDouble(buffer, v, at);
    case 'float':
      if (typeof v !== 'number') break;
      if (!Number.isFinite(v)) return writeDouble(buffer, v, at); // refuses it with the reason
      space(buffer, at, 5);
      buffer[at] = TAG.f;
      buffer.writeFloatBE(v, at + 1);
      return at + 5;
    case 'int':
    case 'int32':
    case 'long':
    case 'int64': {
      if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isInteger(v))) break;
      const n = BigInt(v);
      const int32 = typed['!'] === 'int' || typed['!'] === 'int32';
      if (int32 && (n < INT32_MIN || n > INT32_MAX)) throw problem(`${n} does not fit in a 32-bit int`);
      return writeInteger(buffer, n, at);
    }
    case 'decimal': {
      const d = v as { places?: unknown; digits?: unknown } | null;
      const { places, digits } = d ?? {};
      if (typeof places !== 'number' || typeof digits !== 'number' || !Number.isInteger(places) || !Number.isInteger(digits)
        || places < 0 || places > 255 || digits < INT32_MIN || digits > INT32_MAX) {
        throw problem('a decimal needs { places: 0..255, digits: a 32-bit integer }');
      }
      space(buffer, at, 6);
      buffer[at] = TAG.D;
      buffer[at + 1] = places;
      buffer.writeInt32BE(digits, at + 2);
      return at + 6;
    }
    default:
      throw problem(
        `explicit type ${JSON.stringify(typed['!'])} is not sent: Python reads the small integer and unsigned tags differently from RabbitMQ; ` +
          "use a plain number or one of 'int', 'long', 'double', 'float', 'timestamp', 'decimal'",
      );
  }
  throw problem(`explicit type ${JSON.stringify(typed['!'])} cannot hold ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
}
