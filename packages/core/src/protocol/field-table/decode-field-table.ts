/**
 * The one AMQP field-table decoder (it replaces amqplib's, see `broker/amqp/amqplib-compat.ts`).
 * It reads every tag py-amqp, kombu and RabbitMQ write and never throws: whatever it cannot
 * read is reported on the returned table (see `undecodableFields`), so one odd header can
 * never take a connection down. Value mapping: `field-value.ts`.
 */
import { isUtf8 } from 'node:buffer';
import { formatFieldPath, UNDECODABLE_FIELDS, type UndecodableFields } from './field-value.js';

/** Read position, the key path being read, and the first problem met. */
interface Cursor {
  at: number;
  path: (string | number)[];
  problem: string | null;
}

/** A value could not be read; the reader of the enclosing table stops there. */
class Unreadable extends Error {}

const MAX_DATE_MS = 8.64e15;

/**
 * Decodes the field table held in `slice` (without its length prefix), as amqplib's
 * `codec.decodeFields` does. Never throws.
 */
export function decodeFields(slice: Buffer): Record<string, unknown> {
  const cursor: Cursor = { at: 0, path: [], problem: null };
  const table = readTable(slice, slice.length, cursor);
  if (cursor.problem !== null) {
    const marker: UndecodableFields = { reason: cursor.problem, raw: Buffer.from(slice) };
    Object.defineProperty(table, UNDECODABLE_FIELDS, { value: marker, enumerable: false });
  }
  return table;
}

function readTable(buf: Buffer, end: number, c: Cursor): Record<string, unknown> {
  const table: Record<string, unknown> = {};
  const depth = c.path.length;
  try {
    while (c.at < end) {
      const len = buf[c.at]!;
      if (c.at + 1 + len > end) fail(c, `a key of ${len} bytes at byte ${c.at} runs past the end of its table (byte ${end})`);
      const key = buf.toString('utf8', c.at + 1, c.at + 1 + len);
      c.at += 1 + len;
      c.path.push(key);
      const value = readValue(buf, end, c);
      c.path.pop();
      if (key === '__proto__') Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
      else table[key] = value;
    }
  } catch (err) {
    if (!(err instanceof Unreadable)) note(c, (err as Error).message);
    c.path.length = depth;
    c.at = end; // the rest of this table cannot be located
  }
  return table;
}

function readArray(buf: Buffer, end: number, c: Cursor): unknown[] {
  const items: unknown[] = [];
  const depth = c.path.length;
  try {
    while (c.at < end) {
      c.path.push(items.length);
      items.push(readValue(buf, end, c));
      c.path.pop();
    }
  } catch (err) {
    if (!(err instanceof Unreadable)) note(c, (err as Error).message);
    c.path.length = depth;
    c.at = end;
  }
  return items;
}

/** Records the first problem, with the key path where it happened. */
function note(c: Cursor, problem: string): void {
  if (c.problem !== null) return;
  const where = formatFieldPath(c.path);
  c.problem = where ? `header ${where}: ${problem}` : problem;
}

function fail(c: Cursor, problem: string): never {
  note(c, problem);
  throw new Unreadable();
}

function readValue(buf: Buffer, end: number, c: Cursor): unknown {
  const tag = buf[c.at]!;
  c.at += 1;
  switch (tag) {
    case 0x53: { // S long string
      const len = buf.readUInt32BE(take(c, 4, end));
      const from = take(c, len, end);
      const text = buf.toString('utf8', from, from + len);
      // py-amqp hands over bytes that are not UTF-8 as bytes; so do we, instead of losing them
      return text.includes('\uFFFD') && !isUtf8(buf.subarray(from, from + len)) ? Buffer.from(buf.subarray(from, from + len)) : text;
    }
    case 0x49: // I int32
      return buf.readInt32BE(take(c, 4, end));
    case 0x6c: // l int64 (RabbitMQ: signed)
    case 0x4c: // L int64 (py-amqp: signed)
      return readInt64(buf, take(c, 8, end));
    case 0x74: // t bool
      return buf[take(c, 1, end)] !== 0;
    case 0x56: // V void
      return null;
    case 0x64: // d double
      return buf.readDoubleBE(take(c, 8, end));
    case 0x66: // f float
      return buf.readFloatBE(take(c, 4, end));
    case 0x62: // b int8 (RabbitMQ, amqplib: signed)
      return buf.readInt8(take(c, 1, end));
    case 0x42: // B uint8
      return buf.readUInt8(take(c, 1, end));
    case 0x73: // s int16 (RabbitMQ, amqplib)
    case 0x55: // U int16 (py-amqp)
      return buf.readInt16BE(take(c, 2, end));
    case 0x75: // u uint16
      return buf.readUInt16BE(take(c, 2, end));
    case 0x69: // i uint32
      return buf.readUInt32BE(take(c, 4, end));
    case 0x54: { // T timestamp, whole seconds
      const seconds = buf.readBigUInt64BE(take(c, 8, end));
      const ms = Number(seconds) * 1000;
      return ms <= MAX_DATE_MS ? new Date(ms) : { '!': 'timestamp', value: seconds };
    }
    case 0x44: { // D decimal: places, then signed digits (as py-amqp writes them)
      const at = take(c, 5, end);
      return { '!': 'decimal', value: { places: buf[at]!, digits: buf.readInt32BE(at + 1) } };
    }
    case 0x78: { // x byte array
      const len = buf.readUInt32BE(take(c, 4, end));
      const from = take(c, len, end);
      return Buffer.from(buf.subarray(from, from + len));
    }
    case 0x46: // F table
    case 0x41: { // A array
      const len = buf.readUInt32BE(take(c, 4, end));
      const from = take(c, len, end);
      c.at = from;
      const value = tag === 0x46 ? readTable(buf, from + len, c) : readArray(buf, from + len, c);
      c.at = from + len;
      return value;
    }
    default:
      return fail(c, `unknown AMQP field type ${JSON.stringify(String.fromCharCode(tag))} (0x${tag.toString(16).padStart(2, '0')}) at byte ${c.at - 1}`);
  }
}

/** Claims the next `size` bytes and returns where they start. */
function take(c: Cursor, size: number, end: number): number {
  const from = c.at;
  if (from + size > end) fail(c, `a value needs ${size} bytes at byte ${from} but its table ends at byte ${end} (truncated)`);
  c.at = from + size;
  return from;
}

/** A signed 64-bit integer: a `number` when it is a safe integer (as the JSON codec decides), else a `bigint`. */
function readInt64(buf: Buffer, at: number): number | bigint {
  const hi = buf.readInt32BE(at);
  if (hi >= -0x200000 && hi < 0x200000) {
    const n = hi * 0x100000000 + buf.readUInt32BE(at + 4);
    if (n !== -0x20000000000000) return n; // -2^53 is exact but not a safe integer
  }
  return buf.readBigInt64BE(at);
}
