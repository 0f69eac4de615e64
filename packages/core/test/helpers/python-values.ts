/**
 * Values for the Node ⇄ Python round trips (test/interop/roundtrip.test.ts): fast-check
 * generators over the ranges that break naive codecs, the typed "spec" form that
 * interop/python/roundtrip.py speaks, and what each side must read.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';

/** A Python value, typed exactly (see interop/python/roundtrip.py). */
export type Spec =
  | null
  | { bool: boolean }
  | { int: string }
  | { float: string }
  | { str: string }
  | { bytes: string }
  | { datetime: number }
  | { decimal: string }
  | Spec[]
  | { dict: Record<string, Spec> };

const INT_EDGES = [7, 15, 31, 53, 63].flatMap((bits) => {
  const p = 2n ** BigInt(bits);
  return [p - 1n, p, p + 1n, -p - 1n, -p, -p + 1n];
});

/** Integers at and around ±2^7, ±2^15, ±2^31, ±2^53, ±2^63, clipped to `[min, max]`. */
export function edgeBigInt(min: bigint, max: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(fc.constantFrom(...INT_EDGES.filter((n) => n >= min && n <= max), 0n, -1n, 1n), fc.bigInt({ min, max }));
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }).map((s) => s.replace(/\p{Cs}/gu, '\uFFFD')));
const key = fc.string({ unit: 'grapheme', maxLength: 10 }).filter((k) => Buffer.byteLength(k) <= 255 && k !== '!');
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const seconds = fc.integer({ min: 0, max: 4_000_000_000 });

function tree<T>(leaf: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
  })).v;
}

/** JS values a Celeriac user may put in headers (no NaN/Infinity: RabbitMQ refuses those). */
export const nodeHeaderValue = tree(fc.oneof(
  fc.constant(null), fc.boolean(), text,
  edgeBigInt(INT64.min, INT64.max).map((n) => (n > -(2n ** 53n) && n < 2n ** 53n ? Number(n) : n)),
  edgeBigInt(INT64.min, INT64.max), finite, fc.constant(-0),
  fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)),
  seconds.map((s) => new Date(s * 1000 + 123)),
));

/** JS values a Celeriac user may put in a JSON body. */
export const nodeBodyValue = tree(fc.oneof(
  fc.constant(null), fc.boolean(), text,
  edgeBigInt(-(2n ** 70n), 2n ** 70n).map((n) => (n > -(2n ** 53n) && n < 2n ** 53n ? Number(n) : n)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e21, 2 ** 60),
));

const intSpec = (min: bigint, max: bigint) => edgeBigInt(min, max).map((n): Spec => ({ int: n.toString() }));
const floatSpec = (d: fc.Arbitrary<number>) => d.map((n): Spec => ({ float: Number.isNaN(n) ? 'nan' : n === Infinity ? 'inf' : n === -Infinity ? '-inf' : Object.is(n, -0) ? '-0.0' : String(n) }));
const decimalSpec = fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 6 })).map(([digits, places]): Spec => {
  const abs = String(Math.abs(digits)).padStart(places + 1, '0');
  return { decimal: `${digits < 0 ? '-' : ''}${places ? `${abs.slice(0, -places)}.${abs.slice(-places)}` : abs}` };
});

function specTree(leaf: fc.Arbitrary<Spec>): fc.Arbitrary<Spec> {
  return fc.letrec<{ v: Spec }>((tie) => ({
    v: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(key, tie('v'), { maxKeys: 4 }).map((d): Spec => ({ dict: { ...d } }))),
  })).v;
}

/** Values a Python peer may put in headers (what py-amqp can write; no NaN: RabbitMQ refuses it). */
export const pythonHeaderSpec = specTree(fc.oneof(
  fc.constant(null), fc.boolean().map((b): Spec => ({ bool: b })), text.map((s): Spec => ({ str: s })),
  intSpec(INT64.min, INT64.max), floatSpec(finite),
  fc.uint8Array({ maxLength: 6 }).map((a): Spec => ({ bytes: Buffer.from(a).toString('hex') })),
  seconds.map((s): Spec => ({ datetime: s })), decimalSpec,
));

/** Values a Python peer may put in a JSON body. */
export const pythonBodySpec = specTree(fc.oneof(
  fc.constant(null), fc.boolean().map((b): Spec => ({ bool: b })), text.map((s): Spec => ({ str: s })),
  intSpec(-(2n ** 80n), 2n ** 80n), floatSpec(fc.double()),
));

// ---- what each side must read ------------------------------------------------------------

const floatOf = (s: string): number => (s === 'nan' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));
const exact = (n: bigint): number | bigint => (n > -(2n ** 53n) && n < 2n ** 53n ? Number(n) : n);
const pyFloat = (n: number): Spec => ({ float: Number.isNaN(n) ? 'nan' : Object.is(n, -0) ? '-0.0' : String(n) });

/** What py-amqp must read from a header value Celeriac wrote. */
export function pythonReadsHeader(v: unknown): Spec {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'string') return { str: v };
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 2 ** 63 ? { int: BigInt(v).toString() } : pyFloat(v);
  if (Buffer.isBuffer(v)) return { bytes: v.toString('hex') };
  if (v instanceof Date) return { datetime: Math.floor(v.getTime() / 1000) };
  if (Array.isArray(v)) return v.map(pythonReadsHeader);
  return { dict: Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, pythonReadsHeader(x)])) };
}

/** What kombu's json must read from a body value Celeriac wrote. */
export function pythonReadsBody(v: unknown): Spec {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? { int: BigInt(v).toString() } : pyFloat(v);
  if (Array.isArray(v)) return v.map(pythonReadsBody);
  if (v && typeof v === 'object') return { dict: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pythonReadsBody(x)])) };
  return pythonReadsHeader(v);
}

/** A header value after Python read it and wrote it back (py-amqp's writer), as Celeriac decodes it. */
export function afterPythonHeader(v: unknown): unknown {
  if (typeof v === 'bigint') return exact(v);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 63 && !Object.is(v, -0)) return exact(BigInt(v));
  if (Buffer.isBuffer(v)) return isUtf8(v) ? v.toString('utf8') : v; // py-amqp sends bytes as a string
  if (v instanceof Date) return new Date(Math.floor(v.getTime() / 1000) * 1000);
  if (Array.isArray(v)) return v.map(afterPythonHeader);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, afterPythonHeader(x)]));
  return v;
}

/** A body value after kombu read it and wrote it back, as Celeriac decodes it. */
export function afterPythonBody(v: unknown): unknown {
  if (typeof v === 'bigint') return exact(v);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e21) return exact(BigInt(v));
  if (Array.isArray(v)) return v.map(afterPythonBody);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, afterPythonBody(x)]));
  return v;
}

/** What Celeriac must decode from a header or body value a Python peer wrote. */
export function nodeReads(spec: Spec): unknown {
  if (spec === null) return null;
  if (Array.isArray(spec)) return spec.map(nodeReads);
  if ('bool' in spec) return spec.bool;
  if ('int' in spec) return exact(BigInt(spec.int));
  if ('float' in spec) return floatOf(spec.float);
  if ('str' in spec) return spec.str;
  if ('bytes' in spec) {
    const b = Buffer.from(spec.bytes, 'hex');
    return isUtf8(b) ? b.toString('utf8') : b;
  }
  if ('datetime' in spec) return new Date(spec.datetime * 1000);
  if ('decimal' in spec) {
    const [whole, frac = ''] = spec.decimal.replace('-', '').split('.');
    const digits = Number(whole! + frac) * (spec.decimal.startsWith('-') ? -1 : 1);
    return { '!': 'decimal', value: { places: frac.length, digits: digits === 0 ? 0 : digits } };
  }
  return Object.fromEntries(Object.entries(spec.dict).map(([k, x]) => [k, nodeReads(x)]));
}

/** Compares specs as Python would see the values: floats by value (nan equal to nan, -0.0 apart from 0.0). */
export function sameSpec(a: Spec, b: Spec): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameSpec(x, b[i]!));
  if ('float' in a && 'float' in b) return Object.is(floatOf(a.float), floatOf(b.float));
  if ('dict' in a && 'dict' in b) {
    const ka = Object.keys(a.dict).sort();
    const kb = Object.keys(b.dict).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameSpec(a.dict[k]!, b.dict[k]!));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}
