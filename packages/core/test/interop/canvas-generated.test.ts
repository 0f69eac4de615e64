/**
 * The proof of the canvas: random trees of chain / group / chord / map / starmap / chunks /
 * replace (depth ≤ 4) over arithmetic tasks that Node and Python implement identically, each
 * step placed at random on a Node or a Python worker (by its name, through the routes table).
 * Every tree is sent from Node and from Python (real Celery 5.2.6 client); its value must equal
 * the local evaluation, and every step must have run exactly once, on its side (the tasks count
 * themselves in Redis).
 *
 * CELERIAC_CANVAS_CASES (default 300) trees per run, CELERIAC_CANVAS_SEED to replay a run,
 * CELERIAC_CANVAS_TREES (a JSON list) to run given trees; a failing case prints its seed, its
 * index and its tree.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CeleriacApp } from '../../src/index.js';
import { pythonScript, type PythonEnv } from '../helpers/python.js';
import { buildSignature, evaluate, expectedRuns, observedRuns, tagged, treeArbitrary, type Side, type Tree } from '../helpers/canvas-gen.js';
import { startMixedCluster, type MixedCluster } from '../helpers/mixed-cluster.js';

const CASES = Number(process.env.CELERIAC_CANVAS_CASES ?? 300);
const SEED = process.env.CELERIAC_CANVAS_SEED !== undefined ? Number(process.env.CELERIAC_CANVAS_SEED) : randomBytes(4).readUInt32BE() >>> 1;
const BATCH = 100;
const BATCH_TIMEOUT_S = Number(process.env.CELERIAC_CANVAS_TIMEOUT ?? 180);

interface Outcome {
  value?: unknown;
  error?: string;
}

describe('generated canvases across Node and Python workers', () => {
  let cluster: MixedCluster;
  let app: CeleriacApp;
  let env: PythonEnv;
  let redis: Redis;

  beforeAll(async () => {
    cluster = await startMixedCluster('gen', { node: { concurrency: 32 }, pyArgs: ['-c', '4'] });
    ({ app, env, redis } = cluster);
  }, 90_000);

  afterAll(() => cluster?.stop(), 60_000);

  async function sendFromNode(tree: Tree): Promise<Outcome> {
    try {
      const r = await buildSignature(app, tree).applyAsync();
      return { value: await r.get({ timeout: BATCH_TIMEOUT_S * 1000 }) };
    } catch (err) {
      return { error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  }

  async function sendFromPython(cases: { id: string; tree: Tree }[]): Promise<Map<string, Outcome>> {
    const dir = mkdtempSync(join(tmpdir(), 'celeriac-gen-'));
    try {
      const file = join(dir, 'cases.jsonl');
      writeFileSync(file, cases.map((c) => JSON.stringify(c)).join('\n'));
      const lines = await pythonScript<{ id: string } & Outcome & { error_type?: string }>(env, 'canvas_drive.py', [file, '--timeout', String(BATCH_TIMEOUT_S)], (BATCH_TIMEOUT_S + 60) * 1000);
      return new Map(lines.map((l) => [l.id, l.error !== undefined ? { error: `${l.error_type}: ${l.error}` } : { value: l.value }]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Sends every tree from Node and from Python; returns one line per wrong value or wrong run count. */
  async function check(trees: readonly Tree[], label: string): Promise<string[]> {
    const run = randomBytes(6).toString('hex');
    const failures: string[] = [];
    for (let start = 0; start < trees.length; start += BATCH) {
      const batch = trees.slice(start, start + BATCH).map((tree, k) => {
        const i = start + k;
        return { i, tree, node: tagged(tree, `${run}|c${i}n`), py: tagged(tree, `${run}|c${i}p`), expected: evaluate(tree) };
      });
      const [fromNode, fromPython] = await Promise.all([
        Promise.all(batch.map((c) => sendFromNode(c.node))),
        sendFromPython(batch.map((c) => ({ id: String(c.i), tree: c.py }))),
      ]);
      const counts = await redis.hgetall(`celeriac-gen:${run}`);
      batch.forEach((c, k) => {
        for (const [sender, tree, got] of [['Node', c.node, fromNode[k]!], ['Python', c.py, fromPython.get(String(c.i)) ?? { error: 'no answer' }]] as const) {
          const problems: string[] = [];
          if (got.error !== undefined) problems.push(`failed: ${got.error}`);
          else if (!isDeepStrictEqual(got.value, c.expected)) problems.push(`value ${JSON.stringify(got.value)}, expected ${JSON.stringify(c.expected)}`);
          const want = expectedRuns(tree);
          const prefix = sender === 'Node' ? `${run}|c${c.i}n` : `${run}|c${c.i}p`;
          const mine = Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}@`)));
          const seen = observedRuns(mine, want);
          const wrong = [...new Set([...want.keys(), ...seen.keys()])].filter((key) => want.get(key) !== seen.get(key))
            .map((key) => `${key}: ran ${seen.get(key) ?? 0}×, expected ${want.get(key) ?? 0}×`);
          if (wrong.length > 0) problems.push(`runs: ${wrong.join('; ')}`);
          if (problems.length > 0) failures.push(`case ${c.i} sent from ${sender} (${label}): ${problems.join(' | ')}\n  tree: ${JSON.stringify(tree)}`);
        }
      });
    }
    await redis.del(`celeriac-gen:${run}`);
    if (failures.length > 0) console.error(`${failures.length} failing cases (${label}):\n${failures.slice(0, 20).join('\n')}`);
    return failures;
  }

  it("runs the issue's cases: a chord inside a chain, groups, chunks, nested groups of chains, chords of chords, replace(group)", async () => {
    const task = (side: Side, op: 'add' | 'mul', ...args: number[]): Tree => ({ t: 'task', side, op, args, imm: false, tag: '' });
    const chainChord = (a: Side, b: Side): Tree => ({
      t: 'chain', steps: [task(a, 'add', 1, 1), { t: 'chord', header: [task(a, 'add', 10), task(b, 'add', 20)], body: task(b, 'add') }, task(a, 'mul', 2)],
    });
    const trees: Tree[] = [
      chainChord('node', 'node'), chainChord('py', 'py'), chainChord('node', 'py'), chainChord('py', 'node'),
      { t: 'group', members: [task('node', 'add', 1, 1), task('py', 'add', 2, 2)] },
      { t: 'chunks', side: 'node', op: 'add', items: [[1, 1], [2, 2], [3, 3]], n: 2, tag: '' },
      { t: 'chunks', side: 'py', op: 'mul', items: [[1, 2], [3, 4], [5, 6], [7]], n: 3, tag: '' },
      { t: 'group', members: [{ t: 'chain', steps: [task('py', 'add', 1), task('node', 'mul', 3)] }, { t: 'chain', steps: [task('node', 'add', 2), task('py', 'mul', 5)] }] },
      { t: 'chord', header: [{ t: 'chord', header: [task('py', 'add', 1), task('node', 'add', 2)], body: task('node', 'add') }, task('py', 'add', 3)], body: task('py', 'add') },
      { t: 'chain', steps: [task('py', 'add', 1, 1), { t: 'replace', side: 'node', tag: '', with: { t: 'group', members: [task('py', 'add', 1), task('node', 'add', 2)] } }, task('py', 'add', 100)] },
    ];
    const failures = await check(trees, 'issue cases');
    expect(failures).toEqual([]);
  }, 5 * 60_000);

  it(`gives every tree its locally evaluated value, each step run once on its side (${CASES} trees, seed ${SEED})`, async () => {
    console.log(`generated canvases: ${CASES} trees, seed ${SEED} (replay: CELERIAC_CANVAS_SEED=${SEED} CELERIAC_CANVAS_CASES=${CASES})`);
    // CELERIAC_CANVAS_TREES='[tree, ...]' replays given trees (the printed ones, tags are replaced)
    const given = process.env.CELERIAC_CANVAS_TREES;
    const trees = given ? (JSON.parse(given) as Tree[]) : fc.sample(treeArbitrary, { numRuns: CASES, seed: SEED });
    const failures = await check(trees, `seed ${SEED}`);
    expect(failures, `seed ${SEED}: ${failures[0] ?? ''}`).toEqual([]);
  }, 30 * 60_000);
});
