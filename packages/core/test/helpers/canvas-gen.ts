/**
 * Generated canvases for the Node ⇄ Python property test: a tree grammar (fast-check), the
 * arithmetic tasks (identical to interop/python/celeriac_canvas_tasks.py), a builder from a
 * tree to Celeriac signatures, and the local evaluation the results are checked against.
 *
 * Each task exists as `gen.node.<op>` and `gen.py.<op>`; the app routes `gen.node.*` to the
 * Node workers' queue and `gen.py.*` to the Python workers', so a tree's names place its steps.
 * The last positional argument of every call is a tag; each run does
 * `HINCRBY celeriac-gen:<run> <tag>@<side> 1`, so the test sees every step ran once, and where.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { chain, chord, chunks, group, xmap, xstarmap, type CeleriacApp, type Signature } from '../../src/index.js';

export const MOD = 1_000_003;
export type Side = 'node' | 'py';
export type Op = 'add' | 'mul' | 'cat';

export type Tree =
  | { t: 'task'; side: Side; op: Op; args: number[]; imm: boolean; tag: string }
  | { t: 'chain'; steps: Tree[] }
  | { t: 'group'; members: Tree[] }
  | { t: 'chord'; header: Tree[]; body: Tree }
  | { t: 'map'; side: Side; op: Op; items: number[]; tag: string }
  | { t: 'starmap'; side: Side; op: Op; items: number[][]; tag: string }
  | { t: 'chunks'; side: Side; op: Op; items: number[][]; n: number; tag: string }
  | { t: 'replace'; side: Side; tag: string; with: Tree };

// ---- the tasks --------------------------------------------------------------------------

function flatten(values: readonly unknown[], out: number[] = []): number[] {
  for (const v of values) {
    if (Array.isArray(v)) flatten(v, out);
    else out.push(v as number);
  }
  return out;
}

/** (numbers, tag) from a call's positional arguments; a map item is one list `[x, tag]`. */
export function operands(args: readonly unknown[]): { numbers: number[]; tag: string } {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const tag = list[list.length - 1];
  if (typeof tag !== 'string') throw new TypeError(`gen task called without a tag: ${JSON.stringify(args)}`);
  return { numbers: flatten(list.slice(0, -1)), tag };
}

export function applyOp(op: Op, numbers: readonly number[]): number {
  let acc = op === 'mul' ? 1 : 0;
  for (const n of numbers) {
    if (op === 'add') acc = (acc + n) % MOD;
    else if (op === 'mul') acc = (acc * n) % MOD;
    else acc = (acc * 31 + n) % MOD;
  }
  return acc;
}

/** Registers gen.node.* and gen.py.* (add, mul, cat, replace) on a Node app. */
export function registerGenTasks(app: CeleriacApp, redis: Redis): void {
  const count = async (tag: string) => {
    const key = `celeriac-gen:${tag.split('|')[0]}`;
    await redis.multi().hincrby(key, `${tag}@node`, 1).expire(key, 3600).exec();
  };
  for (const side of ['node', 'py'] as const) {
    for (const op of ['add', 'mul', 'cat'] as const) {
      app.task(`gen.${side}.${op}`, async (...args: unknown[]) => {
        const { numbers, tag } = operands(args);
        await count(tag);
        return applyOp(op, numbers);
      });
    }
    app.task(`gen.${side}.replace`, async function (...args: unknown[]) {
      await count(operands(args.slice(-1)).tag);
      return this.replace(buildSignature(app, this.kwargs.spec as Tree));
    });
  }
}

/** The Celeriac canvas for a tree (the Python side builds the same with celery.canvas). */
export function buildSignature(app: CeleriacApp, tree: Tree): Signature {
  switch (tree.t) {
    case 'task': {
      const sig = app.signature(`gen.${tree.side}.${tree.op}`);
      return tree.imm ? sig.si(...tree.args, tree.tag) : sig.s(...tree.args, tree.tag);
    }
    case 'chain':
      return chain(...tree.steps.map((s) => buildSignature(app, s)));
    case 'group':
      return group(...tree.members.map((s) => buildSignature(app, s)));
    case 'chord':
      return chord(tree.header.map((s) => buildSignature(app, s)), buildSignature(app, tree.body));
    case 'map':
      return xmap(app.signature(`gen.${tree.side}.${tree.op}`).s(), tree.items.map((x, i) => [x, `${tree.tag}.${i}`]));
    case 'starmap':
      return xstarmap(app.signature(`gen.${tree.side}.${tree.op}`).s(), tree.items.map((it, i) => [...it, `${tree.tag}.${i}`]));
    case 'chunks':
      return chunks(app.signature(`gen.${tree.side}.${tree.op}`).s(), tree.items.map((it, i) => [...it, `${tree.tag}.${i}`]), tree.n);
    case 'replace':
      return app.signature(`gen.${tree.side}.replace`).signature([tree.tag] as never, { kwargs: { spec: tree.with } });
  }
}

// ---- the local evaluation ---------------------------------------------------------------

/** The value a tree resolves to under Celery's canvas rules, with `partial` arguments from a chain. */
export function evaluate(tree: Tree, partial: readonly unknown[] = []): unknown {
  switch (tree.t) {
    case 'task':
      return applyOp(tree.op, flatten(tree.imm ? tree.args : [...partial, ...tree.args]));
    case 'group':
      return tree.members.map((m) => evaluate(m, partial));
    case 'chord':
      return evaluate(tree.body, [tree.header.map((h) => evaluate(h, partial))]);
    case 'chain': {
      let value = evaluate(tree.steps[0]!, partial);
      for (let i = 1; i < tree.steps.length; i++) value = evaluate(tree.steps[i]!, [value]);
      return value;
    }
    case 'map': // immutable: a chain's value is not passed in
      return tree.items.map((x) => applyOp(tree.op, [x]));
    case 'starmap':
      return tree.items.map((it) => applyOp(tree.op, it));
    case 'chunks': {
      const out: number[][] = [];
      for (let i = 0; i < tree.items.length; i += tree.n) out.push(tree.items.slice(i, i + tree.n).map((it) => applyOp(tree.op, it)));
      return out;
    }
    case 'replace':
      return evaluate(tree.with);
  }
}

/**
 * `<tag>@<side>` → 1 for every step, and `<tag>` → 1 for map / starmap / chunks items, which
 * run wherever their message went (a Python worker routes a nested celery.map by its own name).
 */
export function expectedRuns(tree: Tree, out: Map<string, number> = new Map()): Map<string, number> {
  const items = (tag: string, n: number) => {
    for (let i = 0; i < n; i++) out.set(`${tag}.${i}`, 1);
  };
  switch (tree.t) {
    case 'task':
      out.set(`${tree.tag}@${tree.side}`, 1);
      break;
    case 'chain':
      tree.steps.forEach((s) => expectedRuns(s, out));
      break;
    case 'group':
      tree.members.forEach((s) => expectedRuns(s, out));
      break;
    case 'chord':
      tree.header.forEach((s) => expectedRuns(s, out));
      expectedRuns(tree.body, out);
      break;
    case 'map':
    case 'starmap':
    case 'chunks':
      items(tree.tag, tree.items.length);
      break;
    case 'replace':
      out.set(`${tree.tag}@${tree.side}`, 1);
      expectedRuns(tree.with, out);
      break;
  }
  return out;
}

/** What the counters say, in the shape of `expectedRuns` (item tags summed over both sides). */
export function observedRuns(counts: Record<string, string>, expected: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [field, n] of Object.entries(counts)) {
    const key = expected.has(field) ? field : field.replace(/@(node|py)$/, '');
    out.set(key, (out.get(key) ?? 0) + Number(n));
  }
  return out;
}

// ---- the grammar ------------------------------------------------------------------------

/**
 * Where a node sits. Celery 5.2 mishandles a few shapes, which are not generated: a group
 * directly in a group or chord header is spliced in an order 5.2 reverses; a chain ending in a
 * group inside a chord header or body (or a replacement there) changes the chord's size; a
 * nested chain that starts with a group and goes on for two more steps never resolves; and
 * `replace(map)` loses the task id (Celery's map drops its options when applied),
 * `replace(group)` puts a chord member's result last, and a chain in which two groups are followed
 * by a nested chain gets a wrong value or runs that chain twice (pure Python 5.2.6 does the same).
 */
type Place = 'root' | 'first' | 'step' | 'last' | 'member' | 'replacement-member' | 'header' | 'body' | 'inner' | 'replacement' | 'replacement-inner';
const REPLACEMENT = new Set<Place>(['replacement', 'replacement-inner']);
const INNER = new Set<Place>(['header', 'body', 'inner', 'replacement-inner']);
const GROUP_ALLOWED = new Set<Place>(['root', 'step', 'last', 'replacement', 'replacement-inner']);
const side = fc.constantFrom<Side>('node', 'py');
const op = fc.constantFrom<Op>('add', 'mul', 'cat');
const num = fc.integer({ min: 0, max: 999 });
const tag = fc.constant('');

function treeArb(depth: number, place: Place): fc.Arbitrary<Tree> {
  const task = fc.record({ t: fc.constant('task' as const), side, op, args: fc.array(num, { maxLength: 2 }), imm: fc.integer({ min: 0, max: 5 }).map((n) => n === 0), tag });
  const map = fc.record({ t: fc.constant('map' as const), side, op, items: fc.array(num, { minLength: 1, maxLength: 4 }), tag });
  const starmap = fc.record({ t: fc.constant('starmap' as const), side, op, items: fc.array(fc.array(num, { maxLength: 3 }), { minLength: 1, maxLength: 4 }), tag });
  const leaves: fc.Arbitrary<Tree>[] = REPLACEMENT.has(place) ? [task] : [task, task, task, map, starmap];
  if (place === 'root') {
    // chunks inside another canvas travel as a celery.chunks task whose result is a group tuple
    leaves.push(fc.record({ t: fc.constant('chunks' as const), side, op, items: fc.array(fc.array(num, { maxLength: 3 }), { minLength: 1, maxLength: 7 }), n: fc.integer({ min: 1, max: 3 }), tag }));
  }
  if (depth <= 1) return fc.oneof(...leaves);
  const sub = (p: Place) => treeArb(depth - 1, p);
  const composites: fc.Arbitrary<Tree>[] = [];
  if (place !== 'replacement-member') {
    composites.push(fc.record({ t: fc.constant('chord' as const), header: fc.array(sub('header'), { minLength: 1, maxLength: 3 }), body: sub('body') }));
  }
  composites.push(
    fc.tuple(sub(place === 'root' ? 'step' : 'first'), fc.array(sub('step'), { maxLength: 1 }), sub(INNER.has(place) ? 'inner' : 'last'))
      .filter(([a, mid, z]) => !twoGroupsThenChain([a, ...mid, z]))
      .map(([a, mid, z]): Tree => ({ t: 'chain', steps: [a, ...mid, z] })),
    // replace() runs on Node: Debian's Celery 5.2.6 under Python 3.11 reports its own replace()
    // as a failure (the Ignore it raises escapes), which fails chains and chords around it
    fc.record({ t: fc.constant('replace' as const), side: fc.constant<Side>('node'), tag, with: sub(INNER.has(place) ? 'replacement-inner' : 'replacement') }),
  );
  if (GROUP_ALLOWED.has(place)) {
    const member = REPLACEMENT.has(place) ? 'replacement-member' : 'member';
    composites.push(fc.record({ t: fc.constant('group' as const), members: fc.array(sub(member), { minLength: 2, maxLength: 3 }) }));
  }
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...leaves) }, { weight: 4, arbitrary: fc.oneof(...composites) });
}

/** Celery 5.2.6 mishandles `chain(..., group, group, chain(...))` (nested chains before it spliced). */
function twoGroupsThenChain(steps: readonly Tree[]): boolean {
  const last = steps.at(-1)!;
  const spliced = [...steps.slice(0, -1).flatMap(function splice(s: Tree): Tree[] { return s.t === 'chain' ? s.steps.flatMap(splice) : [s]; }), last];
  return spliced.some((s, i) => s.t === 'group' && spliced[i + 1]?.t === 'group' && spliced[i + 2]?.t === 'chain');
}

/** Trees of depth ≤ 4: chain, group, chord, map, starmap, chunks and replace, tasks on either side. */
export const treeArbitrary: fc.Arbitrary<Tree> = treeArb(4, 'root');

/** Gives every step a unique tag under `prefix` (`<run>|<case>`). */
export function tagged(tree: Tree, prefix: string): Tree {
  switch (tree.t) {
    case 'chain':
      return { ...tree, steps: tree.steps.map((s, i) => tagged(s, `${prefix}.${i}`)) };
    case 'group':
      return { ...tree, members: tree.members.map((s, i) => tagged(s, `${prefix}.${i}`)) };
    case 'chord':
      return { ...tree, header: tree.header.map((s, i) => tagged(s, `${prefix}.h${i}`)), body: tagged(tree.body, `${prefix}.b`) };
    case 'replace':
      return { ...tree, tag: prefix, with: tagged(tree.with, `${prefix}.r`) };
    default:
      return { ...tree, tag: prefix };
  }
}
