/**
 * Compile-time checks of the typed API (run by `tsc --noEmit`, which covers test files):
 * task handles keep argument and result types, and canvases keep what TypeScript can infer.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { chain, chord, createApp, group, type AsyncResult, type GroupResult, type GroupSignature, type Signature } from '../../src/index.js';

describe('typed API', () => {
  it('keeps argument and result types through handles and canvases', () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://' });
    const add = app.task('t.add', (x: number, y: number) => x + y);
    const upper = app.task('t.upper', async (s: string) => s.toUpperCase());
    const mul = app.signature<[number, number], number>('t.mul');

    expectTypeOf(add.delay).parameters.toEqualTypeOf<[number, number]>();
    expectTypeOf(add.delay(1, 2)).resolves.toEqualTypeOf<AsyncResult<number>>();
    expectTypeOf(upper.delay('a')).resolves.toEqualTypeOf<AsyncResult<string>>();
    expectTypeOf(add.s(1)).toEqualTypeOf<Signature<number>>();
    expectTypeOf(chain(add.s(1, 2), mul.s(3), upper.s())).toEqualTypeOf<Signature<string>>();
    expectTypeOf(group(add.s(1, 1), upper.s('x'))).toEqualTypeOf<GroupSignature<[number, string]>>();
    expectTypeOf(group(add.s(1, 1), upper.s('x')).applyAsync()).resolves.toEqualTypeOf<GroupResult<[number, string]>>();
    expectTypeOf(add.chunks([[1, 2], [3, 4]], 1).applyAsync()).resolves.toEqualTypeOf<GroupResult<number[][]>>();
    expectTypeOf(chord([add.s(1, 1), add.s(2, 2)], upper.s())).toEqualTypeOf<Signature<string>>();
    expectTypeOf(add.map).parameters.toEqualTypeOf<[readonly number[]]>();

    // @ts-expect-error wrong argument type is a compile error
    void add.delay('1', 2);
    // @ts-expect-error too many partial arguments
    void add.s(1, 2, 3);
  });
});
