#!/usr/bin/env node
/**
 * Fails when the import graph of a source folder has a cycle. Every relative module reference
 * counts: `import`, `import type`, `export ... from`, `export type ... from`, `import()` and
 * `require()`. Specifiers are parsed with TypeScript's own pre-processor (no type checking),
 * so comments and strings that only look like imports are ignored.
 *
 *   node scripts/check-cycles.mjs [dir]        (default: src)
 *
 * Exit code 0 and one summary line when acyclic; 1 and every cycle, one per line, otherwise.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SOURCE = /\.(?:m|c)?tsx?$/;
const DECLARATION = /\.d\.(?:m|c)?ts$/;

/** Every TypeScript source file under `dir` (declarations left out). */
export function listSources(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules') out.push(...listSources(path));
    } else if (SOURCE.test(name) && !DECLARATION.test(name)) out.push(path);
  }
  return out;
}

/** The relative specifiers a source text references (static, type-only, re-exports and dynamic). */
export function referencedSpecifiers(text) {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** The file a relative specifier names, NodeNext style (`./x.js` is `./x.ts`), or null if outside the set. */
export function resolveSpecifier(fromFile, specifier, files) {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(?:m|c)?jsx?$/, '');
  const candidates = [base, ...['.ts', '.tsx', '.mts', '.cts'].map((e) => stem + e), ...['index.ts', 'index.tsx'].map((i) => join(base, i))];
  return candidates.find((c) => files.has(c)) ?? null;
}

/** Adjacency list of the import graph of `dir`. */
export function importGraph(dir) {
  const files = new Set(listSources(resolve(dir)));
  const graph = new Map();
  for (const file of files) {
    const targets = new Set();
    for (const spec of referencedSpecifiers(readFileSync(file, 'utf8'))) {
      const target = resolveSpecifier(file, spec, files);
      if (target !== null) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * The cycles of a graph: one per strongly connected component with more than one file (or a
 * file that imports itself), each as a closed path `[a, b, ..., a]`. Tarjan's algorithm,
 * iterative so deep graphs cannot overflow the stack.
 */
export function findCycles(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work = [{ node: root, edge: 0 }];
    index.set(root, next); low.set(root, next); next++;
    stack.push(root); onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++];
        if (!index.has(to)) {
          index.set(to, next); low.set(to, next); next++;
          stack.push(to); onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node), index.get(to)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((c) => cyclePath(graph, new Set(c)));
}

/** A shortest closed path through the first (sorted) file of a component, staying inside it. */
function cyclePath(graph, members) {
  const start = [...members].sort()[0];
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let n = node; n !== null && n !== start; n = previous.get(n)) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!previous.has(to)) { previous.set(to, node); queue.push(to); }
    }
  }
  return [start, start];
}

/** Checks `dir`; returns the process exit code and writes the report. */
export function main(dir = 'src', out = process.stdout, err = process.stderr) {
  if (!existsSync(dir)) {
    err.write(`check-cycles: no such folder ${dir}\n`);
    return 2;
  }
  const graph = importGraph(dir);
  const cycles = findCycles(graph);
  const root = resolve(dir);
  if (cycles.length === 0) {
    out.write(`check-cycles: ${graph.size} files under ${dir}, no import cycle\n`);
    return 0;
  }
  err.write(`check-cycles: ${cycles.length} import cycle(s) under ${dir}:\n`);
  for (const cycle of cycles) err.write(`  ${cycle.map((f) => relative(root, f)).join(' -> ')}\n`);
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv[2] ?? 'src');
}
