import { Buffer, isUtf8 } from 'node:buffer';
import { formatCeleryDate } from './time.js';

/** Celery's `amqp.argsrepr_maxsize` and `kwargsrepr_maxsize`. */
export const REPR_MAX_LENGTH = 1024;

/** Celery's `saferepr` shows at most three levels of nesting; deeper containers become `[...]`. */
const MAX_LEVELS = 3;

/** Deepest nesting {@link pythonRepr} writes out; deeper containers become `[...]` instead of overflowing the stack. */
export const MAX_REPR_DEPTH = 100;

/** Python's `str.isprintable()` is false for categories C* and Z* (the ASCII space is handled earlier). */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;
const SURROGATE = /[\uD800-\uDFFF]/;

interface Shape {
  open: string;
  close: string;
  values: readonly unknown[];
  /** Present for dicts: `keys[i]` belongs to `values[i]`. */
  keys?: readonly unknown[];
}

/**
 * Python's `repr()` of the value a Python peer gets after JSON-decoding what Celeriac sends:
 * `None`/`True`/`False`, quoted and escaped strings (quote choice and escapes as CPython does),
 * `[1, 2]`, `{'a': 1}`, floats as Python prints them (`2.5`, `1e+100`, `inf`, `nan`). Safe integers
 * print as ints; other numbers as floats (JS cannot tell `1.0` from `1`); bigints as ints.
 * A `Date` shows as the string the JSON codec writes; bytes as `b'...'`. Never throws.
 */
export function pythonRepr(value: unknown): string {
  return fullRepr(value, new Set());
}

/**
 * Celery's `saferepr(value, maxLength)`, as a worker writes a task's return value into
 * `task-succeeded` events and logs (`resultrepr_maxsize`, 1024 by default): the repr cut to about
 * `maxLength` characters, three levels of nesting. The work is bounded by `maxLength`, not by
 * the size of the value: a 50 MB string costs a 1 KB slice.
 */
export function resultRepr(value: unknown, maxLength: number = REPR_MAX_LENGTH): string {
  const v = normalize(value);
  if (typeof v === 'string') return formatChars(v, maxLength);
  if (v instanceof Uint8Array) return formatBytes(v, maxLength);
  const atom = atomRepr(v);
  if (atom !== undefined) return truncate(atom, maxLength);
  const shape = shapeOf(v as object);
  return typeof shape === 'string' ? truncate(shape, maxLength) : safeRepr(shape, maxLength, v as object);
}

/**
 * The `argsrepr` header Celery 5.2 writes: `saferepr(args, 1024)`, a tuple repr (`(2, 3)`, `(1,)`,
 * `()`). Follows `celery/utils/saferepr.py` exactly, including its quirks: strings are quoted with
 * `'` and only `'` is escaped, nesting stops at three levels, and truncation ends in `, ...` plus
 * the still-open brackets, so the result can run a few characters past `maxLength`.
 */
export function argsRepr(args: readonly unknown[], maxLength: number = REPR_MAX_LENGTH): string {
  return safeRepr({ open: '(', close: args.length === 1 ? ',)' : ')', values: args }, maxLength);
}

/** The `kwargsrepr` header Celery 5.2 writes: `saferepr(kwargs, 1024)`; see {@link argsRepr}. */
export function kwargsRepr(kwargs: Readonly<Record<string, unknown>>, maxLength: number = REPR_MAX_LENGTH): string {
  const shape = shapeOf(kwargs);
  return typeof shape === 'string' ? shape : safeRepr(shape, maxLength, kwargs);
}

/** Unwraps what JSON encoding would unwrap: boxed primitives, `toJSON()`, and dates. */
function normalize(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  if (value instanceof Date) {
    const year = value.getUTCFullYear();
    if (Number.isNaN(value.getTime())) return null;
    return year >= 1 && year <= 9999 ? `${formatCeleryDate(value).slice(0, -6)}Z` : value.toISOString();
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) {
    return value.valueOf();
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? (toJSON.call(value) as unknown) : value;
}

/** A Python tuple inside a repr (Celery keeps a signature's `args` as a tuple). */
class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

const SIGNATURE_KEYS = ['task', 'args', 'kwargs', 'options', 'subtask_type', 'immutable'];

/** A signature dict: Python's Signature is a dict whose `args` is a tuple, and its repr shows one. */
function isSignatureDict(value: Record<string, unknown>): boolean {
  return typeof value.task === 'string' && Array.isArray(value.args) && SIGNATURE_KEYS.every((k) => k in value);
}

/** A container's brackets and members, or the finished text of an atom-like object. */
function shapeOf(value: object): Shape | string {
  if (Array.isArray(value)) return { open: '[', close: ']', values: value };
  if (value instanceof PyTuple) return { open: '(', close: value.items.length === 1 ? ',)' : ')', values: value.items };
  if (value instanceof Map) return { open: '{', close: '}', keys: [...value.keys()], values: [...value.values()] };
  if (value instanceof Set) return value.size === 0 ? 'set()' : { open: '{', close: '}', values: [...value] };
  const record = value as Record<string, unknown>;
  const keys = Object.keys(value).filter((k) => record[k] !== undefined);
  const signature = isSignatureDict(record);
  return { open: '{', close: '}', keys, values: keys.map((k) => (signature && k === 'args' ? new PyTuple(record.args as unknown[]) : record[k])) };
}

/** Repr of anything that is not a container; `undefined` for containers. */
function atomRepr(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return reprString(value);
    case 'number':
      return reprNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'True' : 'False';
    case 'undefined':
      return 'None';
    case 'function':
      return `<function ${value.name || '<anonymous>'}>`;
    case 'symbol':
      return `<${value.toString()}>`;
    default:
      if (value === null) return 'None';
      if (value instanceof Uint8Array) return reprBytes(value);
      return undefined;
  }
}

function fullRepr(raw: unknown, ancestors: Set<object>): string {
  const value = normalize(raw);
  const atom = atomRepr(value);
  if (atom !== undefined) return atom;
  const container = value as object;
  const shape = shapeOf(container);
  if (typeof shape === 'string') return shape;
  if (ancestors.has(container) || ancestors.size >= MAX_REPR_DEPTH) return `${shape.open}...${shape.close}`;
  ancestors.add(container);
  const parts = shape.values.map((member, i) =>
    shape.keys ? `${fullRepr(shape.keys[i], ancestors)}: ${fullRepr(member, ancestors)}` : fullRepr(member, ancestors),
  );
  ancestors.delete(container);
  return shape.open + parts.join(', ') + shape.close;
}

/** CPython's `unicode_repr`: quote choice, backslash escapes, and `\x`/`\u`/`\U` for unprintables. */
function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f || !NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

function reprBytes(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    if (b === quote.charCodeAt(0) || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${hex(b, 2)}`;
    else out += String.fromCharCode(b);
  }
  return out + quote;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function reprNumber(n: number): string {
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? String(n) : reprFloat(n);
}

/** Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents -4..15. */
function reprFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  let body: string;
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    body = `${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  } else if (exponent < 0) {
    body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else if (digits.length <= exponent + 1) {
    body = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  return n < 0 ? `-${body}` : body;
}

/** Python's `len()` of a string: code points, not UTF-16 units. */
function pyLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let length = 0;
  for (const _ of s) length++;
  return length;
}

/** celery `utils.text.truncate`: cut to `maxlen` code points, back to the last space, add `...`. */
function truncate(s: string, maxlen: number): string {
  if (s.length < maxlen || (s.length < 2 * maxlen && pyLength(s) < maxlen)) return s;
  // only the first maxlen code points matter: never scan (or copy) the rest of a long string
  const window = s.slice(0, 2 * Math.max(0, maxlen));
  const head = SURROGATE.test(window) ? [...window].slice(0, maxlen).join('') : s.slice(0, maxlen);
  const space = head.lastIndexOf(' ');
  return `${space >= 0 ? head.slice(0, space) : head}...`;
}

/** saferepr's `_format_chars` for str: single quotes, only `'` escaped, nothing else touched. */
const formatChars = (s: string, maxlen: number): string => `'${truncate(s, maxlen).replace(/'/g, "\\'")}'`;

/** saferepr's `_format_binary_bytes`: the UTF-8 text, or hex when it is not UTF-8. */
function formatBytes(bytes: Uint8Array, maxlen: number): string {
  const chunk = bytes.length > maxlen ? bytes.subarray(0, maxlen) : bytes;
  const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const text = isUtf8(buffer) ? buffer.toString('utf8') : buffer.toString('hex');
  return `b'${text}${chunk === bytes ? '' : '...'}'`;
}

type Item =
  | { kind: 'open' | 'close' | 'sep'; text: string }
  | { kind: 'key'; key: unknown }
  | { kind: 'value'; value: unknown };

function* members(shape: Shape): Generator<Item> {
  yield { kind: 'open', text: shape.open };
  const { keys, values } = shape;
  for (let i = 0; i < values.length; i++) {
    if (keys) {
      yield { kind: 'key', key: keys[i] };
      yield { kind: 'sep', text: ': ' };
    }
    yield { kind: 'value', value: values[i] };
    if (i < values.length - 1) yield { kind: 'sep', text: ', ' };
  }
  yield { kind: 'close', text: shape.close };
}

/**
 * A port of celery's streaming `_saferepr`: tokens are emitted while the budget lasts; the
 * token that finds it spent is dropped, `, ...` is written, then the closing brackets of the
 * containers still open.
 */
function safeRepr(root: Shape, maxlen: number, rootValue: object = root): string {
  const flat = flatRepr(root, maxlen);
  if (flat !== undefined) return flat;
  const stack: { items: Generator<Item>; close: string; value: object }[] = [];
  const open = new Set<object>();
  const push = (shape: Shape, value: object): void => {
    stack.push({ items: members(shape), close: shape.close, value });
    open.add(value);
  };
  push(root, rootValue);
  let out = '';
  let remaining = maxlen;
  let level = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const item = frame.items.next().value as Item;
    let text = '';
    let chars: string | Uint8Array | undefined; // formatted against the remaining budget
    let truncatable = false;
    if (item.kind === 'key' || item.kind === 'value') {
      const value = normalize(item.kind === 'key' ? item.key : item.value);
      if (typeof value === 'string' || value instanceof Uint8Array) {
        chars = value;
      } else {
        const atom = atomRepr(value);
        const shape = atom ?? shapeOf(value as object);
        if (typeof shape === 'string') text = shape;
        else if (level >= MAX_LEVELS) text = `${shape.open}...${shape.close}`;
        else if (open.has(value as object)) text = `<Recursion on ${Array.isArray(value) ? 'list' : 'dict'}>`;
        else {
          push(shape, value as object);
          continue;
        }
        truncatable = true;
      }
    } else {
      text = item.text;
      if (item.kind === 'open') level++;
      if (item.kind === 'close') {
        level--;
        stack.pop();
        open.delete(frame.value);
      }
    }
    if (remaining <= 0) {
      return `${out}, ...${stack
        .map((f) => f.close)
        .reverse()
        .join('')}`;
    }
    let token = text;
    if (typeof chars === 'string') token = formatChars(chars, remaining);
    else if (chars !== undefined) token = formatBytes(chars, remaining);
    else if (truncatable) token = truncate(text, remaining);
    out += token;
    remaining -= pyLength(token);
  }
  return out;
}

/**
 * The common case of {@link safeRepr} without its streaming machinery: a container whose
 * members are all atoms (strings, numbers, booleans, None) and whose whole repr is shorter than
 * `maxlen`. Nothing is truncated then, so the streaming result is exactly these tokens joined.
 * Undefined when the full algorithm is needed. (UTF-16 length bounds Python's length from above.)
 */
function flatRepr(shape: Shape, maxlen: number): string | undefined {
  const { keys, values } = shape;
  let out = shape.open;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ', ';
    if (keys) {
      const key = flatToken(keys[i]);
      if (key === undefined) return undefined;
      out += `${key}: `;
    }
    const token = flatToken(values[i]);
    if (token === undefined) return undefined;
    out += token;
    if (out.length >= maxlen) return undefined;
  }
  out += shape.close;
  return out.length < maxlen ? out : undefined;
}

/** A member's saferepr token when it is an atom; strings as `formatChars` writes them untruncated. */
function flatToken(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      // saferepr quotes with ' and escapes only ' (unlike repr), so strings are not atomRepr's
      return value.includes("'") ? `'${value.replace(/'/g, "\\'")}'` : `'${value}'`;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return atomRepr(value);
    case 'object':
      return value === null ? 'None' : undefined;
    default:
      return undefined;
  }
}
