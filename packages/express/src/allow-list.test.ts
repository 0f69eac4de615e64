import { describe, expect, it } from 'vitest';
import { compileAllowList, isValidTaskId, isValidTaskName } from './allow-list.js';

describe('compileAllowList', () => {
  it('allows nothing by default', () => {
    const list = compileAllowList(undefined);
    expect(list.allows('tasks.add')).toBe(false);
    expect(compileAllowList([]).allows('')).toBe(false);
  });

  it('matches exact names and globs, anchored', () => {
    const list = compileAllowList(['tasks.add', 'reports.*', 'img.?ize']);
    expect(list.allows('tasks.add')).toBe(true);
    expect(list.allows('tasks.addx')).toBe(false);
    expect(list.allows('xtasks.add')).toBe(false);
    expect(list.allows('reports.build')).toBe(true);
    expect(list.allows('reports.')).toBe(true);
    expect(list.allows('reportsXbuild')).toBe(false); // '.' is literal
    expect(list.allows('img.resize')).toBe(false);
    expect(list.allows('img.ize')).toBe(false);
    expect(list.allows('img.size')).toBe(true);
    expect(list.allows('img.rsize')).toBe(false);
  });

  it('tells literal entries from glob matches', () => {
    const list = compileAllowList(['tasks.add', 'reports.*']);
    expect(list.listsLiterally('tasks.add')).toBe(true);
    expect(list.listsLiterally('reports.build')).toBe(false);
  });

  it('takes a predicate and only trusts a strict true', () => {
    const list = compileAllowList((name) => (name === 'a' ? true : (1 as unknown as boolean)));
    expect(list.allows('a')).toBe(true);
    expect(list.allows('b')).toBe(false);
    expect(list.listsLiterally('a')).toBe(false);
  });

  it('escapes regex characters in globs', () => {
    const list = compileAllowList(['a+b(c)*']);
    expect(list.allows('a+b(c)d')).toBe(true);
    expect(list.allows('aab(c)')).toBe(false);
  });
});

describe('names and ids', () => {
  it('accepts ordinary task names and rejects odd ones', () => {
    expect(isValidTaskName('proj.tasks.add')).toBe(true);
    expect(isValidTaskName('app:task-1@v2/x')).toBe(true);
    expect(isValidTaskName('')).toBe(false);
    expect(isValidTaskName('a b')).toBe(false);
    expect(isValidTaskName('<script>')).toBe(false);
    expect(isValidTaskName('x'.repeat(256))).toBe(false);
  });

  it('accepts UUIDs as ids and rejects path tricks', () => {
    expect(isValidTaskId('0b6f8e3c-1a47-4a57-9c1e-6a3a8e1f2b9d')).toBe(true);
    expect(isValidTaskId('../etc')).toBe(false);
    expect(isValidTaskId('a/b')).toBe(false);
    expect(isValidTaskId('')).toBe(false);
  });
});
