/**
 * Every TypeScript snippet of the root README and of each package README compiles as written,
 * with the published types (the packages' dist), strict and exactOptionalPropertyTypes, as a
 * user pasting them into a fresh project would compile them.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT } from './packages.js';
import { extractSnippets } from './readme-snippets.js';

const READMES = ['README.md', 'packages/core/README.md', 'packages/express/README.md', 'packages/nestjs/README.md', 'packages/beat/README.md', 'packages/otel/README.md'];
// inside this package, so the snippets resolve @celeriac/*, express, @nestjs/* and ioredis from its node_modules
const WORK = fileURLToPath(new URL('../node_modules/.cache/readme-snippets/', import.meta.url));

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
};

function typecheck(readme: string): { files: number; errors: string[] } {
  const snippets = extractSnippets(readFileSync(join(ROOT, readme), 'utf8'));
  const dir = join(WORK, readme.replace(/[/.]/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const where = new Map<string, number>();
  for (const s of snippets) {
    if (where.has(s.name)) throw new Error(`${readme}: two snippets are named ${s.name} (lines ${where.get(s.name)} and ${s.line})`);
    where.set(s.name, s.line);
    writeFileSync(join(dir, s.name), s.text);
  }
  const program = ts.createProgram(snippets.map((s) => join(dir, s.name)), OPTIONS);
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const file = d.file ? d.file.fileName.slice(dir.length + 1) : '?';
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
    return `${readme}:${(where.get(file) ?? 0) + line} (${file}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  return { files: snippets.length, errors };
}

describe('README snippets', () => {
  it.each(READMES)('%s compiles as written', (readme) => {
    const { files, errors } = typecheck(readme);
    expect(files).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('are split into files at `// name.ts` lines, whatever the code around them', () => {
    const line = fc.stringMatching(/^[a-z =;(){}.0-9]{0,20}$/).filter((l) => !l.startsWith('//') && !l.startsWith('```'));
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('a.ts', 'b-c.ts', null), fc.array(line, { maxLength: 4 })), { minLength: 1, maxLength: 5 }), (parts) => {
      const body = parts.map(([name, code]) => [...(name ? [`// ${name}`] : []), ...code].join('\n')).join('\n');
      const md = `text\n\n\`\`\`ts\n${body}\n\`\`\`\n\nmore\n`;
      const files = extractSnippets(md);
      expect(files.map((f) => f.text).join('')).toBe(body.split('\n').filter((l) => !/^\/\/ [\w.-]+\.ts$/.test(l)).map((l) => `${l}\n`).join(''));
      for (const f of files) expect(f.name).toMatch(/^(a\.ts|b-c\.ts|snippet-1\.ts)$/);
    }), { numRuns: 300 });
  });
});
