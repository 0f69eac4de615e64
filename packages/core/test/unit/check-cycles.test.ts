/** The import-cycle check that core's `lint` runs over `src` (scripts/check-cycles.mjs). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { findCycles, main } from '../../scripts/check-cycles.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'celeriac-cycles-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function run(dir: string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(dir, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
  return { code, out, err };
}

describe('check-cycles', () => {
  it('passes a tree without cycles and fails the same tree once a type-only import closes one', () => {
    const files = {
      'app.ts': "import { worker } from './worker/worker.js';\nexport const app = worker;\n",
      'worker/worker.ts': "import type { Ctx } from '../context.js';\nexport const worker = (c: Ctx) => c;\n",
      'context.ts': 'export interface Ctx { name: string }\n',
    };
    const clean = run(tree(files));
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('3 files');

    const cyclic = run(tree({ ...files, 'context.ts': "import type { app } from './app.js';\nexport interface Ctx { app: typeof app }\n" }));
    expect(cyclic.code).toBe(1);
    expect(cyclic.err).toContain('app.ts -> worker/worker.ts -> context.ts -> app.ts');
  });

  it('counts re-exports, dynamic imports and index files, and ignores imports in comments', () => {
    const reexport = run(tree({
      'index.ts': "export * from './a/index.js';\n",
      'a/index.ts': "export { b } from '../b.js';\n",
      'b.ts': "export const b = () => import('./index.js');\n",
    }));
    expect(reexport.code).toBe(1);
    expect(reexport.err).toContain('a/index.ts -> b.ts -> index.ts -> a/index.ts');

    const commented = run(tree({
      'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'b.ts': "// import { a } from './a.js';\nexport const b = 'import(\"./a.js\")';\n",
    }));
    expect(commented.code).toBe(0);
  });

  it('reports a file that imports itself, and fails on a missing folder', () => {
    expect(run(tree({ 'self.ts': "export * from './self.js';\n" })).err).toContain('self.ts -> self.ts');
    expect(run(join(tmpdir(), 'celeriac-no-such-folder')).code).toBe(2);
  });

  it('finds a cycle exactly when a graph has a back edge', () => {
    // edges only from lower to higher numbers form no cycle; one edge the other way closes one
    const graphs = fc.integer({ min: 2, max: 12 }).chain((n) => fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }),
      back: fc.option(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { nil: undefined }),
    }));
    fc.assert(fc.property(graphs, ({ n, edges, back }) => {
      const graph = new Map<string, string[]>();
      for (let i = 0; i < n; i++) graph.set(`f${i}`, []);
      for (const [x, y] of edges) if (x < y) graph.get(`f${x}`)!.push(`f${y}`);
      expect(findCycles(graph)).toEqual([]);
      if (back === undefined) return;
      const [lo, hi] = back[0] <= back[1] ? back : [back[1], back[0]];
      // a path lo -> hi, then the back edge hi -> lo
      for (let i = lo; i < hi; i++) graph.get(`f${i}`)!.push(`f${i + 1}`);
      graph.get(`f${hi}`)!.push(`f${lo}`);
      const cycles = findCycles(graph);
      expect(cycles).toHaveLength(1);
      const cycle = cycles[0]!;
      expect(cycle[0]).toBe(cycle[cycle.length - 1]);
      for (let i = 0; i + 1 < cycle.length; i++) expect(graph.get(cycle[i]!)).toContain(cycle[i + 1]);
    }));
  });
});
