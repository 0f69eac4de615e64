import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFields } from './decode-field-table.js';
import { encodeTable } from './encode-field-table.js';
import { undecodableFields } from './field-value.js';

/** A table `{ v: <tag + payload> }`, as the bytes inside the table's length prefix. */
const one = (tag: string, payload: Buffer | number[] = []): Buffer =>
  Buffer.concat([Buffer.from([1, 0x76]), Buffer.from(tag, 'latin1'), Buffer.from(payload)]);

const be = (bytes: number, write: (b: Buffer) => void): Buffer => {
  const b = Buffer.alloc(bytes);
  write(b);
  return b;
};

const decodeOne = (tag: string, payload: Buffer | number[] = []): unknown => {
  const table = decodeFields(one(tag, payload));
  expect(undecodableFields(table)).toBeUndefined();
  return table.v;
};

describe('decodeFields: every tag py-amqp, kombu and RabbitMQ write', () => {
  it('S long string; bytes that are not UTF-8 come back as a Buffer, as py-amqp does', () => {
    expect(decodeOne('S', [0, 0, 0, 2, 0xc3, 0xa9])).toBe('é');
    expect(decodeOne('S', [0, 0, 0, 3, 0xef, 0xbf, 0xbd])).toBe('\uFFFD');
    expect(decodeOne('S', [0, 0, 0, 2, 0xff, 0x00])).toEqual(Buffer.from([0xff, 0]));
  });

  it('I int32, i uint32', () => {
    expect(decodeOne('I', be(4, (b) => b.writeInt32BE(-300)))).toBe(-300);
    expect(decodeOne('i', be(4, (b) => b.writeUInt32BE(4_000_000_000)))).toBe(4_000_000_000);
  });

  it('L and l are signed int64: a number when a safe integer, else a bigint', () => {
    for (const tag of ['L', 'l']) {
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(2n ** 40n)))).toBe(2 ** 40);
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(-(2n ** 40n))))).toBe(-(2 ** 40));
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(2n ** 53n - 1n)))).toBe(2 ** 53 - 1);
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(-(2n ** 53n) + 1n)))).toBe(-(2 ** 53) + 1);
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(-(2n ** 53n))))).toBe(-(2n ** 53n));
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(2n ** 53n)))).toBe(2n ** 53n);
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(-(2n ** 63n))))).toBe(-(2n ** 63n));
      expect(decodeOne(tag, be(8, (b) => b.writeBigInt64BE(-1n)))).toBe(-1);
    }
  });

  it('b signed and B unsigned bytes; s and U int16, u uint16', () => {
    expect(decodeOne('b', [0xfb])).toBe(-5);
    expect(decodeOne('B', [200])).toBe(200);
    expect(decodeOne('s', be(2, (b) => b.writeInt16BE(300)))).toBe(300);
    expect(decodeOne('U', be(2, (b) => b.writeInt16BE(-300)))).toBe(-300);
    expect(decodeOne('u', be(2, (b) => b.writeUInt16BE(60_000)))).toBe(60_000);
  });

  it('d double, f float', () => {
    expect(decodeOne('d', be(8, (b) => b.writeDoubleBE(-0.1)))).toBe(-0.1);
    expect(decodeOne('d', be(8, (b) => b.writeDoubleBE(NaN)))).toBeNaN();
    expect(decodeOne('f', be(4, (b) => b.writeFloatBE(1.5)))).toBe(1.5);
  });

  it('t bool, V void', () => {
    expect(decodeOne('t', [1])).toBe(true);
    expect(decodeOne('t', [0])).toBe(false);
    expect(decodeOne('V')).toBeNull();
  });

  it('T timestamp as a Date; D decimal in the explicit form; x bytes', () => {
    expect(decodeOne('T', be(8, (b) => b.writeBigUInt64BE(1_700_000_000n)))).toEqual(new Date(1_700_000_000_000));
    expect(decodeOne('T', be(8, (b) => b.writeBigUInt64BE(2n ** 60n)))).toEqual({ '!': 'timestamp', value: 2n ** 60n });
    expect(decodeOne('D', [2, 0xff, 0xff, 0xcf, 0xc7])).toEqual({ '!': 'decimal', value: { places: 2, digits: -12345 } });
    expect(decodeOne('x', [0, 0, 0, 2, 0xff, 0])).toEqual(Buffer.from([0xff, 0]));
  });

  it('F table and A array, nested', () => {
    expect(decodeOne('F', [0, 0, 0, 4, 1, 0x6b, 0x74, 1])).toEqual({ k: true });
    expect(decodeOne('A', [0, 0, 0, 6, 0x56, 0x49, 0, 0, 0, 7])).toEqual([null, 7]);
  });

  it('keeps a key named __proto__ as data, never as the prototype', () => {
    const table = decodeFields(Buffer.concat([Buffer.from([9]), Buffer.from('__proto__'), Buffer.from([0x74, 1])]));
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
    expect(Object.keys(table)).toEqual(['__proto__']);
  });
});

describe('decodeFields never throws', () => {
  it('marks an unknown tag with the reason, keeps what came before, and the raw bytes', () => {
    const bytes = Buffer.concat([one('I', [0, 0, 0, 1]), Buffer.from([1, 0x7a, 0x5a, 0, 0])]);
    const table = decodeFields(bytes);
    expect(table).toEqual({ v: 1 });
    expect(undecodableFields(table)?.reason).toBe('header "z": unknown AMQP field type "Z" (0x5a) at byte 9');
    expect(undecodableFields(table)?.raw).toEqual(bytes);
  });

  it('an unreadable nested table loses only its own rest: the outer table goes on after it', () => {
    const inner = Buffer.from([1, 0x61, 0x49, 0, 0, 0, 1, 1, 0x62, 0x5a, 9, 9]);
    const bytes = Buffer.concat([Buffer.from([1, 0x6e, 0x46]), be(4, (b) => b.writeUInt32BE(inner.length)), inner, one('t', [1])]);
    const table = decodeFields(bytes);
    expect(table).toEqual({ n: { a: 1 }, v: true });
    expect(undecodableFields(table)?.reason).toMatch(/^header "n"\."b": unknown AMQP field type "Z"/);
  });

  it('reports truncated values and lengths running past the table', () => {
    expect(undecodableFields(decodeFields(one('I', [0, 0])))?.reason).toMatch(/"v": a value needs 4 bytes .* \(truncated\)/);
    expect(undecodableFields(decodeFields(one('S', [0, 0, 0, 9, 0x61])))?.reason).toMatch(/truncated/);
    expect(undecodableFields(decodeFields(Buffer.from([5, 0x61])))?.reason).toMatch(/a key of 5 bytes/);
  });

  it('on any bytes at all (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const table = decodeFields(Buffer.from(bytes));
      expect(typeof table).toBe('object');
    }), { numRuns: 2000 });
  });

  it('on any bytes inside a valid table (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...'SIlLtVdfbBsUuiTDxFAZ'), (payload, tag) => {
      decodeFields(one(tag, Buffer.from(payload)));
    }), { numRuns: 2000 });
  });
});

describe('encodeTable then decodeFields gives the value back', () => {
  const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  /** What a value looks like after a round trip: integers a number when safe, else a bigint; Dates in whole seconds. */
  const normal = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v;
    if (typeof v === 'number' && Number.isInteger(v) && (v >= 2 ** 53 || v <= -(2 ** 53)) && Math.abs(v) < 2 ** 63) return BigInt(v);
    if (Array.isArray(v)) return v.map(normal);
    if (v instanceof Date) return new Date(Math.floor(v.getTime() / 1000) * 1000);
    if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]));
    return v;
  };
  const leaf = fc.oneof(
    fc.constant(null), fc.boolean(), fc.string({ unit: 'grapheme' }), fc.integer(), int64,
    fc.double({ noNaN: true, noDefaultInfinity: true }), fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
    fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
    fc.constantFrom(127, 128, -129, 32767, 32768, -32769, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53, -(2 ** 53)),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== '!'), tie('value'), { maxKeys: 4 })),
  }));

  it('for any table of values (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 20 }).filter((k) => Buffer.byteLength(k) <= 255), value, { maxKeys: 6 }), (table) => {
      const buf = Buffer.alloc(65536);
      const size = encodeTable(buf, table, 0);
      const back = decodeFields(buf.subarray(4, size));
      expect(undecodableFields(back)).toBeUndefined();
      expect(back).toEqual(normal(table));
    }), { numRuns: Number(process.env.CELERIAC_PROPERTY_RUNS ?? 300) });
  });
});
