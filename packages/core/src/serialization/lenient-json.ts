import { DecodeError } from '../errors/serialization-errors.js';

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * True when the text holds a run of 16+ digits that is not part of a fraction or followed by an
 * exponent: the only way an integer beyond `Number.MAX_SAFE_INTEGER` can appear. Digits inside
 * strings count too; that only costs a trip through the slower parser, never a wrong answer.
 * Probing every 16th character finds any such run and reads a fraction of the text.
 */
function mayHoldUnsafeInteger(text: string): boolean {
  const length = text.length;
  for (let i = 15; i < length; i += 16) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < length && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= 16) {
      const before = text.charCodeAt(start - 1);
      const after = text.charCodeAt(end);
      if (before !== 0x2e && after !== 0x2e && after !== 0x65 && after !== 0x45) return true;
    }
    i = end; // the next run of 16 digits must cover end + 16
  }
  return false;
}

/**
 * Parses a JSON message body, taking `JSON.parse` whenever it gives the same answer as
 * {@link parseLenientJson}. Bodies that may hold an unsafe integer, and bodies `JSON.parse`
 * rejects (`NaN`, `Infinity`, or plain garbage), go through the lenient parser, which either
 * accepts them or throws a {@link DecodeError} that says where the text went wrong.
 */
export function parseJson(text: string): unknown {
  if (!mayHoldUnsafeInteger(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Python writes NaN/Infinity; the lenient parser accepts those and locates real errors.
    }
  }
  return parseLenientJson(text);
}

/**
 * Parses JSON as Python's `json.loads` (and so kombu 5.2) reads it: standard JSON plus the
 * `NaN`, `Infinity` and `-Infinity` literals. Integers outside the safe range come back as
 * `bigint` so no digit is lost; every other number is a `number`. Keys named `__proto__` become
 * own data properties, as with `JSON.parse`, so input cannot change any prototype.
 *
 * @throws DecodeError on invalid input, with line, column and offset in the message.
 */
export function parseLenientJson(text: string): unknown {
  let pos = 0;

  const fail = (what: string, at = pos): never => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new DecodeError(`invalid JSON: ${what}: line ${line} column ${column} (char ${at})`);
  };

  const describe = (at: number): string =>
    at >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[at])}`;

  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };

  const literal = (word: string, value: unknown): unknown => {
    if (!text.startsWith(word, pos)) fail(`expecting value (${describe(pos)})`);
    pos += word.length;
    return value;
  };

  const parseString = (): string => {
    pos++; // opening quote
    let result = '';
    let chunkStart = pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        result += text.slice(chunkStart, pos);
        pos++;
        return result;
      }
      if (c === 0x5c) {
        result += text.slice(chunkStart, pos);
        result += parseEscape();
        chunkStart = pos;
      } else if (c < 0x20 || Number.isNaN(c)) {
        fail(Number.isNaN(c) ? 'unterminated string' : 'invalid control character in string');
      } else {
        pos++;
      }
    }
  };

  const parseEscape = (): string => {
    const escape = text[pos + 1];
    pos += 2;
    switch (escape) {
      case '"':
      case '\\':
      case '/':
        return escape;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = text.slice(pos, pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\uXXXX escape', pos - 2);
        pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        return fail('invalid escape', pos - 2);
    }
  };

  const digits = (): number => {
    const start = pos;
    while (isDigit(text.charCodeAt(pos))) pos++;
    return pos - start;
  };

  const parseNumber = (): number | bigint => {
    const start = pos;
    if (text[pos] === '-') {
      pos++;
      if (text.startsWith('Infinity', pos)) {
        pos += 8;
        return -Infinity;
      }
    }
    const intStart = pos;
    const intDigits = digits();
    if (intDigits === 0) fail(`expecting value (${describe(pos)})`);
    if (intDigits > 1 && text[intStart] === '0') fail('leading zeros are not allowed', intStart);
    let integral = true;
    if (text[pos] === '.') {
      pos++;
      if (digits() === 0) fail('expecting a digit after the decimal point');
      integral = false;
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      pos++;
      if (text[pos] === '+' || text[pos] === '-') pos++;
      if (digits() === 0) fail('expecting a digit in the exponent');
      integral = false;
    }
    const source = text.slice(start, pos);
    const value = Number(source);
    // 16+ digits may exceed 2**53; a bigint keeps every digit Python sent.
    if (integral && intDigits >= 16 && !Number.isSafeInteger(value)) return BigInt(source);
    return value;
  };

  const parseArray = (): unknown[] => {
    pos++;
    const array: unknown[] = [];
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return array;
    }
    for (;;) {
      array.push(parseValue());
      skipWhitespace();
      const c = text[pos];
      pos++;
      if (c === ']') return array;
      if (c !== ',') fail(`expecting ',' or ']' (${describe(pos - 1)})`, pos - 1);
    }
  };

  const parseObject = (): Record<string, unknown> => {
    pos++;
    const object: Record<string, unknown> = {};
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return object;
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') fail(`expecting a property name in double quotes (${describe(pos)})`);
      const key = parseString();
      skipWhitespace();
      if (text[pos] !== ':') fail(`expecting ':' (${describe(pos)})`);
      pos++;
      const value = parseValue();
      if (key === '__proto__') {
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        object[key] = value;
      }
      skipWhitespace();
      const c = text[pos];
      pos++;
      if (c === '}') return object;
      if (c !== ',') fail(`expecting ',' or '}' (${describe(pos - 1)})`, pos - 1);
    }
  };

  const parseValue = (): unknown => {
    skipWhitespace();
    switch (text[pos]) {
      case '{':
        return parseObject();
      case '[':
        return parseArray();
      case '"':
        return parseString();
      case 't':
        return literal('true', true);
      case 'f':
        return literal('false', false);
      case 'n':
        return literal('null', null);
      case 'N':
        return literal('NaN', NaN);
      case 'I':
        return literal('Infinity', Infinity);
      default:
        return parseNumber();
    }
  };

  let result: unknown;
  try {
    result = parseValue();
  } catch (err) {
    if (err instanceof RangeError) throw new DecodeError('invalid JSON: nesting too deep', { cause: err });
    throw err;
  }
  skipWhitespace();
  if (pos < text.length) fail(`extra data after the JSON value (${describe(pos)})`);
  return result;
}
