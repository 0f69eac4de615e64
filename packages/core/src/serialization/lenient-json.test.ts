import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { DecodeError } from '../errors/serialization-errors.js';
import { parseJson, parseLenientJson } from './lenient-json.js';

interface KombuCase {
  name: string;
  text: string;
  expected: unknown;
}

const kombuCases = (
  JSON.parse(readFileSync(new URL('./kombu-json.cases.json', import.meta.url), 'utf8')) as { cases: KombuCase[] }
).cases;

/** Rebuilds the value Python decoded from the tags written by the generator script. */
function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (typeof value !== 'object' || value === null) return value;
  const tagged = value as { $bigint?: string; $float?: string; $object?: [string, unknown][] };
  if (tagged.$bigint !== undefined) return BigInt(tagged.$bigint);
  if (tagged.$float !== undefined) return tagged.$float === '-0' ? -0 : Number(tagged.$float);
  // Object.fromEntries defines own properties, so a '__proto__' entry stays data.
  return Object.fromEntries((tagged.$object ?? []).map(([k, v]) => [k, untag(v)]));
}

const VALID_SAMPLES = [
  '0',
  '-0',
  '12.5e-3',
  '1E+2',
  '"a\\u00e9\\n\\"\\\\\\/"',
  '[1, [2, {"a": [true, false, null]}], ""]',
  ' \t\r\n{"x" : 1 , "y":[ ] } \n',
  '"\\ud83d\\ude00 \\ud800"',
  '9007199254740991',
  '{"a": 1, "a": 2}',
];

describe('parseLenientJson', () => {
  it.each(kombuCases)('decodes kombu 5.2 output like Python does: $name', ({ text, expected }) => {
    expect(parseLenientJson(text)).toEqual(untag(expected));
    expect(parseJson(text)).toEqual(untag(expected));
  });

  it('returns bigint only for unsafe integers and keeps every digit', () => {
    expect(parseLenientJson('[9007199254740991, 9007199254740992, -9007199254740993]')).toEqual([
      9007199254740991,
      9007199254740992n,
      -9007199254740993n,
    ]);
    expect(parseLenientJson('1180591620717411303424')).toBe(1180591620717411303424n);
    expect(typeof parseLenientJson('1234567890123456')).toBe('number');
    expect(parseLenientJson('12345678901234567890.5')).toBe(Number('12345678901234567890.5'));
    expect(parseLenientJson('1e400')).toBe(Infinity);
  });

  it.each(VALID_SAMPLES)('agrees with JSON.parse on standard JSON: %s', (text) => {
    expect(parseLenientJson(text)).toEqual(JSON.parse(text));
  });

  it('keeps __proto__ as an own data property and leaves prototypes alone', () => {
    const parsed = parseLenientJson('{"__proto__": {"polluted": true}, "a": {"__proto__": null}}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ polluted: true });
    expect((parsed as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(parsed.a, '__proto__')?.value).toBeNull();
  });

  it.each([
    ['', 'unexpected end of input', 0],
    ['[1, 2', "expecting ',' or ']'", 5],
    ['{"a" 1}', "expecting ':'", 5],
    ['{a: 1}', 'property name', 1],
    ['[1,]', 'expecting value', 3],
    ['01', 'leading zeros', 0],
    ['1.', 'decimal point', 2],
    ['nan', 'expecting value', 0],
    ['"abc', 'unterminated string', 4],
    ['"a\tb"', 'control character', 2],
    ['"\\x41"', 'invalid escape', 1],
    ['"\\u12g4"', '\\uXXXX', 1],
    ['{} {}', 'extra data', 3],
    ['-', 'expecting value', 1],
    ['\ufeff{}', 'unexpected character', 0],
  ])('rejects %j with a DecodeError naming the problem and position', (text, problem, char) => {
    expect(() => parseLenientJson(text)).toThrow(DecodeError);
    expect(() => parseLenientJson(text)).toThrow(problem);
    expect(() => parseLenientJson(text)).toThrow(`(char ${char})`);
    expect(() => parseJson(text)).toThrow(DecodeError);
  });

  it('reports line and column on multi-line input', () => {
    expect(() => parseLenientJson('{\n  "a": 1,\n  "b": ?\n}')).toThrow('line 3 column 8 (char 19)');
  });

  it('turns pathological nesting into a DecodeError instead of a stack overflow', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(() => parseLenientJson(deep)).toThrow(DecodeError);
  });
});

describe('parseJson', () => {
  it('falls back to the lenient parser for NaN and Infinity', () => {
    expect(parseJson('{"a": NaN, "b": [-Infinity]}')).toEqual({ a: NaN, b: [-Infinity] });
  });

  it('does not lose precision on big integers next to plain data', () => {
    expect(parseJson('{"id": "x", "n": 18446744073709551616}')).toEqual({ id: 'x', n: 18446744073709551616n });
  });

  it('finds an unsafe integer wherever it sits in the text', () => {
    for (let offset = 0; offset < 40; offset++) {
      for (const literal of ['9007199254740993', '-123456789012345678901234567890']) {
        const text = `${' '.repeat(offset)}[0.1234567890123456, ${literal}, 1.5e+300]`;
        expect(parseJson(text)).toEqual([0.1234567890123456, BigInt(literal), 1.5e300]);
      }
      expect(parseJson(`${' '.repeat(offset)}9007199254740993`)).toBe(9007199254740993n);
      expect(parseJson(`${' '.repeat(offset)}[5,9007199254740993]`)).toEqual([5, 9007199254740993n]);
    }
  });

  it('keeps long fractions and long digit strings as their JSON.parse values', () => {
    expect(parseJson('[0.30000000000000004, 1.2345678901234567e+30, "12345678901234567890"]')).toEqual([
      0.30000000000000004, 1.2345678901234567e30, '12345678901234567890',
    ]);
  });

  it('makes __proto__ an own property on the fast path too', () => {
    const parsed = parseJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
  });
});
