import { describe, expect, it } from 'vitest';
import { EncodeError } from '../../errors/serialization-errors.js';
import { encodeTable } from './encode-field-table.js';

/** Encodes `{ v: value }` and returns the bytes of the value: tag first. */
function valueBytes(value: unknown): Buffer {
  const buf = Buffer.alloc(4096);
  const size = encodeTable(buf, { v: value }, 0);
  expect(buf.readUInt32BE(0)).toBe(size - 4);
  expect(buf.subarray(4, 6)).toEqual(Buffer.from([1, 0x76])); // key "v"
  return buf.subarray(6, size);
}

const tagOf = (value: unknown): string => String.fromCharCode(valueBytes(value)[0]!);
const hex = (b: Buffer): string => b.toString('hex');

describe('encodeTable: one tag per kind of value', () => {
  it('V for null (and undefined inside an array); undefined table values are left out', () => {
    expect(hex(valueBytes(null))).toBe('56');
    expect(hex(valueBytes([undefined]))).toBe('410000000156');
    const buf = Buffer.alloc(64);
    expect(encodeTable(buf, { gone: undefined }, 0)).toBe(4);
  });

  it('t for booleans', () => {
    expect(hex(valueBytes(true))).toBe('7401');
    expect(hex(valueBytes(false))).toBe('7400');
  });

  it('S for strings, as UTF-8', () => {
    expect(hex(valueBytes('é'))).toBe('5300000002c3a9');
    expect(hex(valueBytes(''))).toBe('5300000000');
  });

  it('I for every integer in int32, never b or s (py-amqp reads s as a short string)', () => {
    for (const n of [0, 1, -1, 127, 128, -128, -129, 255, 256, 300, 3600, 32767, 32768, -32769, 65535, 2 ** 31 - 1, -(2 ** 31)]) {
      const b = valueBytes(n);
      expect(String.fromCharCode(b[0]!), String(n)).toBe('I');
      expect(b.readInt32BE(1)).toBe(n);
    }
    expect(tagOf(300n)).toBe('I');
  });

  it('l for positive integers beyond int32 (numbers and bigints), L for negative ones', () => {
    for (const n of [2 ** 31, 2 ** 40, 2 ** 53, 2 ** 53 + 2, 2 ** 62]) {
      const b = valueBytes(n);
      expect(String.fromCharCode(b[0]!)).toBe('l');
      expect(b.readBigInt64BE(1)).toBe(BigInt(n));
    }
    expect(valueBytes(2n ** 63n - 1n).readBigInt64BE(1)).toBe(2n ** 63n - 1n);
    for (const n of [-(2 ** 31) - 1, -(2 ** 40), -(2 ** 63)]) {
      const b = valueBytes(n);
      expect(String.fromCharCode(b[0]!)).toBe('L');
      expect(b.readBigInt64BE(1)).toBe(BigInt(n));
    }
    expect(valueBytes(-(2n ** 63n)).readBigInt64BE(1)).toBe(-(2n ** 63n));
  });

  it('d for fractions, -0 and numbers at or beyond 2^63', () => {
    for (const n of [0.5, -1.25, 1e-300, -0, 2 ** 63, 1e100, Number.MAX_VALUE]) {
      const b = valueBytes(n);
      expect(String.fromCharCode(b[0]!)).toBe('d');
      expect(Object.is(b.readDoubleBE(1), n)).toBe(true);
    }
  });

  it('x for Buffers and Uint8Arrays', () => {
    expect(hex(valueBytes(Buffer.from([0xff, 0])))).toBe('7800000002ff00');
    expect(hex(valueBytes(new Uint8Array([1])))).toBe('780000000101');
  });

  it('T for Dates, in whole seconds', () => {
    const b = valueBytes(new Date(1_700_000_000_999));
    expect(String.fromCharCode(b[0]!)).toBe('T');
    expect(b.readBigUInt64BE(1)).toBe(1_700_000_000n);
  });

  it('A for arrays and F for objects, nested', () => {
    expect(hex(valueBytes([1, 'a']))).toBe('410000000b' + '4900000001' + '530000000161');
    expect(hex(valueBytes({ k: true }))).toBe('4600000004' + '016b' + '7401');
    const nested = valueBytes({ a: [{ b: [null] }] });
    expect(String.fromCharCode(nested[0]!)).toBe('F');
  });

  it("honours amqplib's explicit types that Python reads back as written", () => {
    expect(hex(valueBytes({ '!': 'decimal', value: { places: 2, digits: -12345 } }))).toBe('4402ffffcfc7');
    expect(tagOf({ '!': 'timestamp', value: 1_700_000_000 })).toBe('T');
    expect(tagOf({ '!': 'float', value: 1.5 })).toBe('f');
    expect(tagOf({ '!': 'double', value: 1 })).toBe('d');
    expect(tagOf({ '!': 'int', value: 5 })).toBe('I');
    expect(tagOf({ '!': 'long', value: 5 })).toBe('I');
    expect(tagOf({ '!': 'long', value: -(2n ** 40n) })).toBe('L');
  });

  it("writes an object whose '!' is not one of amqplib's type names as an ordinary table", () => {
    expect(tagOf({ '!': 'shoe', value: 1 })).toBe('F');
    expect(tagOf({ '!': 0 })).toBe('F');
    expect(tagOf({ '!': 'int', value: 1, other: 2 })).toBe('F');
  });

  it('writes inherited enumerable keys, as amqplib passes Object.create(headers)', () => {
    const buf = Buffer.alloc(64);
    const size = encodeTable(buf, Object.create({ a: 1 }) as object, 0);
    expect(hex(buf.subarray(4, size))).toBe('01614900000001');
  });
});

describe('encodeTable refuses, naming where, what no peer would read back', () => {
  const refuses = (table: object, pattern: RegExp) => {
    expect(() => encodeTable(Buffer.alloc(4096), table, 0)).toThrow(EncodeError);
    expect(() => encodeTable(Buffer.alloc(4096), table, 0)).toThrow(pattern);
  };

  it('NaN and Infinity (RabbitMQ closes the connection on them)', () => {
    refuses({ timelimit: [NaN, null] }, /"timelimit"\[0\]: NaN .*541 INTERNAL_ERROR/);
    refuses({ a: { b: Infinity } }, /"a"\."b": Infinity/);
    refuses({ a: -Infinity }, /-Infinity/);
    refuses({ a: { '!': 'float', value: NaN } }, /NaN/);
  });

  it('bigints beyond 64 bits', () => {
    refuses({ big: 2n ** 63n }, /"big": 9223372036854775808 does not fit in 64 bits/);
    refuses({ big: -(2n ** 63n) - 1n }, /does not fit in 64 bits/);
  });

  it('functions, symbols, Maps, Sets, typed arrays other than bytes, invalid Dates', () => {
    refuses({ f: () => 1 }, /"f": a function/);
    refuses({ s: Symbol('x') }, /a symbol/);
    refuses({ m: new Map() }, /a Map has no AMQP form/);
    refuses({ s: new Set() }, /a Set/);
    refuses({ a: new Float64Array(1) }, /Float64Array/);
    refuses({ d: new Date(NaN) }, /invalid Date/);
    refuses({ d: new Date(-1000) }, /cannot be negative/);
  });

  it('explicit small, unsigned or ill-formed types', () => {
    refuses({ a: { '!': 'short', value: 300 } }, /explicit type "short" is not sent/);
    refuses({ a: { '!': 'int', value: 2 ** 31 } }, /does not fit in a 32-bit int/);
    refuses({ a: { '!': 'decimal', value: { places: 300, digits: 1 } } }, /places: 0\.\.255/);
    refuses({ a: { '!': 'double', value: 'x' } }, /cannot hold x/);
  });

  it('keys longer than 255 bytes and tables larger than the buffer', () => {
    refuses({ ['k'.repeat(256)]: 1 }, /256 bytes long/);
    expect(() => encodeTable(Buffer.alloc(64), { a: 'x'.repeat(100) }, 0)).toThrow(/larger than the 64-byte encoding buffer/);
    expect(() => encodeTable(Buffer.alloc(64), { a: 'é'.repeat(40) }, 0)).toThrow(/larger than the 64-byte/);
  });
});
