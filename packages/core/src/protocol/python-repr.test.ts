import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseLenientJson } from '../serialization/lenient-json.js';
import { argsRepr, kwargsRepr, pythonRepr } from './python-repr.js';

interface ReprCase {
  json: string;
  repr: string;
}

/** Generated once with Python 3.11, kombu 5.2.4 and celery 5.2.6 (see the file's "//" entry). */
const cases = JSON.parse(readFileSync(new URL('./python-repr.cases.json', import.meta.url), 'utf8')) as {
  repr: ReprCase[];
  argsrepr: ReprCase[];
  kwargsrepr: ReprCase[];
};

const label = (c: ReprCase): string => (c.json.length > 60 ? `${c.json.slice(0, 57)}...` : c.json);

describe('pythonRepr matches Python repr() of the JSON-decoded value', () => {
  it.each(cases.repr.map((c) => [label(c), c] as const))('%s', (_label, { json, repr }) => {
    expect(pythonRepr(parseLenientJson(json))).toBe(repr);
  });
});

describe('argsRepr matches celery saferepr(args, 1024)', () => {
  it.each(cases.argsrepr.map((c) => [label(c), c] as const))('%s', (_label, { json, repr }) => {
    expect(argsRepr(parseLenientJson(json) as unknown[])).toBe(repr);
  });
});

describe('kwargsRepr matches celery saferepr(kwargs, 1024)', () => {
  it.each(cases.kwargsrepr.map((c) => [label(c), c] as const))('%s', (_label, { json, repr }) => {
    expect(kwargsRepr(parseLenientJson(json) as Record<string, unknown>)).toBe(repr);
  });
});

describe('golden headers from the protocol doc', () => {
  it('add.delay(2, 3) → argsrepr "(2, 3)", kwargsrepr "{}"', () => {
    expect(argsRepr([2, 3])).toBe('(2, 3)');
    expect(kwargsRepr({})).toBe('{}');
  });

  it('writes one-element and empty tuples like Python', () => {
    expect(argsRepr([1])).toBe('(1,)');
    expect(argsRepr([])).toBe('()');
  });
});

describe('JS values without a JSON twin', () => {
  it('shows values the way the JSON codec will send them', () => {
    expect(pythonRepr(new Date('2024-01-02T03:04:05.678Z'))).toBe("'2024-01-02T03:04:05.678000Z'");
    expect(pythonRepr([undefined, null])).toBe('[None, None]');
    expect(pythonRepr({ a: undefined, b: 1 })).toBe("{'b': 1}");
    expect(pythonRepr({ toJSON: () => 'custom' })).toBe("'custom'");
    expect(pythonRepr(Object(5))).toBe('5');
    expect(pythonRepr(12345678901234567890n)).toBe('12345678901234567890');
  });

  it('writes bytes like Python', () => {
    expect(pythonRepr(Buffer.from("it's\n\x00\xff", 'latin1'))).toBe('b"it\'s\\n\\x00\\xff"');
    expect(pythonRepr(new Uint8Array([0x61, 0x27, 0x22, 0x5c]))).toBe("b'a\\'\"\\\\'");
  });

  it('shows Maps, Sets and functions instead of throwing', () => {
    expect(pythonRepr(new Map<unknown, unknown>([['a', 1], [2, [3]]]))).toBe("{'a': 1, 2: [3]}");
    expect(pythonRepr(new Set([1, 'x']))).toBe("{1, 'x'}");
    expect(pythonRepr(new Set())).toBe('set()');
    expect(pythonRepr(function named() {})).toBe('<function named>');
  });

  it('marks self-references instead of recursing forever', () => {
    const list: unknown[] = [1];
    list.push(list);
    expect(pythonRepr(list)).toBe('[1, [...]]');
    const dict: Record<string, unknown> = {};
    dict.self = dict;
    expect(pythonRepr(dict)).toBe("{'self': {...}}");
    expect(argsRepr([dict])).toBe("({'self': <Recursion on dict>},)");
  });

  it('repeats a shared (non-cyclic) object in full', () => {
    const shared = [1];
    expect(pythonRepr([shared, shared])).toBe('[[1], [1]]');
    expect(argsRepr([shared, shared])).toBe('([1], [1])');
  });

  it('keeps bytes and dates readable in argsrepr', () => {
    expect(argsRepr([Buffer.from('hi'), Buffer.from([0xff, 0x00])])).toBe("(b'hi', b'ff00')");
    expect(argsRepr([new Date('2024-01-02T03:04:05Z')])).toBe("('2024-01-02T03:04:05.000000Z',)");
  });

  it('honours a custom maximum length, quirks included (checked against saferepr)', () => {
    expect(argsRepr(['abc def ghi'], 8)).toBe("('abc...', ...");
    // The '[' that finds the budget spent is dropped; its ']' is still written.
    expect(kwargsRepr({ a: [1, 2, 3] }, 6)).toBe("{'a': , ...]}");
  });
});
