import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { DecodeError, EncodeError } from '../errors/serialization-errors.js';
import { createJsonCodec, MAX_ENCODE_DEPTH } from './json-codec.js';

const plain = createJsonCodec();
const marked = createJsonCodec({ typeMarkers: true });
const text = (body: Buffer): string => body.toString('utf8');
const decodeText = (s: string): unknown => plain.decode(Buffer.from(s, 'utf8'));

describe('createJsonCodec', () => {
  it('describes itself like kombu json', () => {
    expect([plain.name, plain.contentType, plain.contentEncoding]).toEqual(['json', 'application/json', 'utf-8']);
    expect(marked.name).toBe('json');
  });

  it('encodes the protocol 2 body shape as UTF-8 JSON', () => {
    const body = plain.encode([[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(text(body)).toBe('[[2,3],{},{"callbacks":null,"errbacks":null,"chain":null,"chord":null}]');
  });

  it('writes non-ASCII text as raw UTF-8 and escapes lone surrogates', () => {
    expect(text(plain.encode({ s: 'café 😀', lone: '\ud800' }))).toBe('{"s":"café 😀","lone":"\\ud800"}');
  });
});

describe('encode', () => {
  it('writes bigint as a bare integer literal, also next to other special values', () => {
    expect(text(plain.encode({ n: 18446744073709551616n }))).toBe('{"n":18446744073709551616}');
    expect(text(plain.encode([-5n, new Date('2024-01-02T00:00:00Z')]))).toBe(
      '[-5,"2024-01-02T00:00:00.000000Z"]',
    );
  });

  it('writes a Date as a kombu 5.2 aware-UTC string by default', () => {
    expect(text(plain.encode({ when: new Date('2024-01-02T03:04:05.678Z') }))).toBe(
      '{"when":"2024-01-02T03:04:05.678000Z"}',
    );
  });

  it('writes a Date as a kombu 5.3 datetime marker with typeMarkers', () => {
    expect(text(marked.encode(new Date('2024-01-02T03:04:05.678Z')))).toBe(
      '{"__type__":"datetime","__value__":"2024-01-02T03:04:05.678000+00:00"}',
    );
  });

  it('refuses bytes without markers, as kombu 5.2 does', () => {
    expect(() => plain.encode({ data: [Buffer.from('x')] })).toThrow(EncodeError);
    expect(() => plain.encode({ data: [Buffer.from('x')] })).toThrow('cannot encode a Buffer as JSON (at $.data[0])');
    expect(() => plain.encode(new Uint8Array([1]))).toThrow('Uint8Array');
  });

  it('writes bytes as a bytes marker when UTF-8 and a base64 marker otherwise', () => {
    expect(text(marked.encode(Buffer.from('héllo')))).toBe('{"__type__":"bytes","__value__":"héllo"}');
    expect(text(marked.encode(new Uint8Array([0xff, 0x00, 0x10])))).toBe(
      '{"__type__":"base64","__value__":"/wAQ"}',
    );
    const slice = Buffer.from('xxabcxx').subarray(2, 5);
    expect(text(marked.encode(slice))).toBe('{"__type__":"bytes","__value__":"abc"}');
  });

  it('turns undefined into null in arrays and at the top level, and drops it from objects', () => {
    expect(text(plain.encode([1, undefined, 3]))).toBe('[1,null,3]');
    expect(text(plain.encode({ a: undefined, b: 2 }))).toBe('{"b":2}');
    expect(text(plain.encode(undefined))).toBe('null');
    expect(text(plain.encode([undefined, 1n]))).toBe('[null,1]');
  });

  it('writes NaN and Infinity as Python does, never as null', () => {
    expect(text(plain.encode([NaN, Infinity, -Infinity, 1.5]))).toBe('[NaN,Infinity,-Infinity,1.5]');
    expect(text(plain.encode([NaN, 1n]))).toBe('[NaN,1]');
    expect(text(plain.encode({ a: { b: -Infinity } }))).toBe('{"a":{"b":-Infinity}}');
    expect(plain.decode(plain.encode({ x: [NaN, Infinity, -Infinity] }))).toEqual({ x: [NaN, Infinity, -Infinity] });
  });

  it('writes the exact digits of integers between 2^53 and 10^21', () => {
    expect(text(plain.encode([2 ** 60, -(2 ** 60), 2 ** 53, 1e21, 9007199254740991]))).toBe('[1152921504606846976,-1152921504606846976,9007199254740992,1e+21,9007199254740991]');
    expect(plain.decode(plain.encode({ n: 2 ** 60 }))).toEqual({ n: 2n ** 60n });
  });

  it.each([
    ['a Map', { m: new Map([['a', 1]]) }, 'cannot encode a Map as JSON (at $.m)'],
    ['a Set', [1, [2, new Set([3])]], 'cannot encode a Set as JSON (at $[1][1])'],
    ['a function', { 'odd key': () => 1 }, 'cannot encode a function (odd key) as JSON (at $["odd key"])'],
    ['a symbol', [Symbol('s')], 'cannot encode a symbol (Symbol(s)) as JSON (at $[0])'],
    ['a Float64Array', { f: new Float64Array(1) }, 'cannot encode a Float64Array'],
    ['an invalid Date', { d: new Date(NaN) }, 'cannot encode this Date as JSON (at $.d): cannot format an invalid Date'],
  ])('refuses %s with a message naming it and its place', (_name, value, message) => {
    expect(() => plain.encode(value)).toThrow(EncodeError);
    expect(() => plain.encode(value)).toThrow(message);
  });

  it('refuses circular structures instead of overflowing the stack', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { back: loop };
    expect(() => plain.encode(loop)).toThrow('cannot encode a circular structure as JSON (at $.self.back)');
  });

  it('encodes shared but acyclic objects and deep nesting', () => {
    const shared = { x: 1 };
    expect(text(plain.encode([shared, shared]))).toBe('[{"x":1},{"x":1}]');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(text(plain.encode(deep))).toBe(`${'['.repeat(200)}"leaf"${']'.repeat(200)}`);
  });

  it('honours toJSON and unwraps boxed primitives, like JSON.stringify', () => {
    class Money {
      constructor(readonly cents: bigint) {}
      toJSON(): unknown {
        return { cents: this.cents };
      }
    }
    expect(text(plain.encode({ price: new Money(10n ** 20n) }))).toBe('{"price":{"cents":100000000000000000000}}');
    expect(text(plain.encode([Object(1), Object('s'), Object(true)]))).toBe('[1,"s",true]');
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    expect(text(plain.encode(new Point(1, 2)))).toBe('{"x":1,"y":2}');
  });

  it('keeps a __proto__ own property as data on both paths', () => {
    const value = JSON.parse('{"__proto__":{"a":1}}') as unknown;
    expect(text(plain.encode(value))).toBe('{"__proto__":{"a":1}}');
    expect(text(plain.encode([value, 1n]))).toBe('[{"__proto__":{"a":1}},1]');
  });
});

/** Rebuilds the value Python decoded from the generator's tags ($bigint / $float / $object). */
function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (typeof value !== 'object' || value === null) return value;
  const tagged = value as { $bigint?: string; $float?: string; $object?: [string, unknown][] };
  if (tagged.$bigint !== undefined) return BigInt(tagged.$bigint);
  if (tagged.$float !== undefined) return tagged.$float === '-0' ? -0 : Number(tagged.$float);
  return Object.fromEntries((tagged.$object ?? []).map(([k, v]) => [k, untag(v)]));
}

describe('decode', () => {
  const { cases } = JSON.parse(readFileSync(new URL('./kombu-json.cases.json', import.meta.url), 'utf8')) as {
    cases: { name: string; text: string; expected: unknown }[];
  };

  it.each(cases)('decodes kombu 5.2 output as Python does: $name', ({ text: body, expected }) => {
    expect(decodeText(body)).toEqual(untag(expected));
  });

  it('reads NaN, Infinity and big integers like Python', () => {
    expect(decodeText('[NaN, -Infinity, 1180591620717411303424]')).toEqual([NaN, -Infinity, 1180591620717411303424n]);
  });

  it('revives every kombu 5.3 marker type', () => {
    const body = `{"a": {"__type__": "datetime", "__value__": "2024-01-02T03:04:05.678901+00:00"},
      "b": {"__type__": "date", "__value__": "2024-01-02"},
      "c": {"__type__": "time", "__value__": "03:04:05.678901"},
      "d": {"__type__": "decimal", "__value__": "1.10"},
      "e": {"__type__": "uuid", "__value__": {"hex": "12345678123456781234567812345678"}},
      "f": {"__type__": "bytes", "__value__": "h\\u00e9"},
      "g": {"__type__": "base64", "__value__": "/wAQ"}}`;
    expect(decodeText(body)).toEqual({
      a: new Date('2024-01-02T03:04:05.678Z'),
      b: '2024-01-02',
      c: '03:04:05.678901',
      d: '1.10',
      e: '12345678-1234-5678-1234-567812345678',
      f: Buffer.from('hé'),
      g: Buffer.from([0xff, 0x00, 0x10]),
    });
  });

  it('reads naive and offset datetimes in markers', () => {
    expect(decodeText('{"__type__": "datetime", "__value__": "2024-01-02T03:04:05"}')).toEqual(
      new Date('2024-01-02T03:04:05Z'),
    );
    expect(decodeText('{"__type__": "datetime", "__value__": "2024-01-02T03:04:05+02:00"}')).toEqual(
      new Date('2024-01-02T01:04:05Z'),
    );
  });

  it('applies the uuid version the way Python UUID(version=…) does (kombu 5.3.0)', () => {
    expect(decodeText('{"__type__": "uuid", "__value__": {"hex": "{12345678-1234-5678-1234-567812345678}", "version": 4}}')).toBe(
      '12345678-1234-4678-9234-567812345678',
    );
    expect(() => decodeText('{"__type__": "uuid", "__value__": {"hex": "1234"}}')).toThrow(DecodeError);
  });

  it('revives markers nested in arrays and inside other markers, bottom-up', () => {
    expect(decodeText('[[{"__type__": "decimal", "__value__": "2"}], {"k": {"__type__": "bytes", "__value__": "x"}}]')).toEqual([
      ['2'],
      { k: Buffer.from('x') },
    ]);
  });

  it('leaves objects alone unless their keys are exactly __type__ and __value__', () => {
    const body = '{"__type__": "datetime", "__value__": "2024-01-02", "extra": 1}';
    expect(decodeText(body)).toEqual({ __type__: 'datetime', __value__: '2024-01-02', extra: 1 });
    expect(decodeText('{"__type__": "nope"}')).toEqual({ __type__: 'nope' });
  });

  it('revives markers regardless of the typeMarkers option', () => {
    const body = Buffer.from('{"__type__": "bytes", "__value__": "x"}');
    expect(plain.decode(body)).toEqual(Buffer.from('x'));
    expect(marked.decode(body)).toEqual(Buffer.from('x'));
  });

  it('round-trips dates and bytes through markers', () => {
    const value = { when: new Date('2024-05-06T07:08:09.010Z'), raw: Buffer.from([0, 255]), text: Buffer.from('ok') };
    expect(marked.decode(marked.encode(value))).toEqual(value);
  });

  it.each([
    ['an unknown marker type', '{"__type__": "frozenset", "__value__": [1]}', 'unsupported JSON type marker __type__="frozenset"'],
    ['a non-string datetime', '{"__type__": "datetime", "__value__": 5}', 'needs a string __value__'],
    ['a bad datetime', '{"__type__": "datetime", "__value__": "yesterday"}', 'invalid date'],
    ['a bad time', '{"__type__": "time", "__value__": "noon"}', 'invalid time'],
  ])('throws DecodeError for %s', (_name, body, message) => {
    expect(() => decodeText(body)).toThrow(DecodeError);
    expect(() => decodeText(body)).toThrow(message);
  });

  it('throws DecodeError for a body that is not UTF-8', () => {
    const body = Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]);
    expect(() => plain.decode(body)).toThrow(DecodeError);
    expect(() => plain.decode(body)).toThrow('not valid UTF-8');
  });

  it('throws DecodeError with the position for invalid JSON', () => {
    expect(() => decodeText('[1, 2')).toThrow(DecodeError);
    expect(() => decodeText('[1, 2')).toThrow('line 1 column 6 (char 5)');
    expect(() => decodeText('')).toThrow(DecodeError);
    expect(() => decodeText('\ufeff{}')).toThrow(DecodeError); // json.loads rejects a BOM too
  });

  it('does not let a __proto__ key reach any prototype, marker or not', () => {
    const decoded = decodeText('{"__proto__": {"__type__": "decimal", "__value__": "1"}, "x": 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe('1');
  });
});

describe('bounded encoding', () => {
  const codec = createJsonCodec();
  const nest = (depth: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  };

  it(`encodes ${MAX_ENCODE_DEPTH} levels and refuses deeper nesting with kombu's EncodeError, without overflowing the stack`, () => {
    expect(() => codec.encode(nest(MAX_ENCODE_DEPTH - 1))).not.toThrow();
    for (const depth of [MAX_ENCODE_DEPTH + 1, 100_000]) {
      const err = (() => {
        try {
          codec.encode({ result: nest(depth) });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(EncodeError);
      expect(err).toMatchObject({ excType: 'EncodeError', excModule: 'kombu.exceptions' });
      expect((err as Error).message.length).toBeLessThan(600);
    }
  });

  it('turns a toJSON() that never settles into EncodeError', () => {
    const endless = { toJSON: (): unknown => ({ toJSON: endless.toJSON, n: Math.random() }) };
    expect(() => codec.encode(endless)).toThrow(EncodeError);
  });
});
