/**
 * The TypeScript in a README, as files: every ```ts block, split where a line names a file
 * (`// app.ts`), so blocks can import each other as a project's files do (`./app.js`). A block
 * without a file name is its own module, `snippet-<n>.ts`.
 */
export interface SnippetFile {
  name: string;
  text: string;
  /** 1-based line in the README where this file's code starts. */
  line: number;
}

const FENCE = /^```ts\s*$/;
const FILE_MARKER = /^\/\/ ([\w.-]+\.ts)\s*$/;

export function extractSnippets(markdown: string): SnippetFile[] {
  const lines = markdown.split('\n');
  const files: SnippetFile[] = [];
  let block = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i]!)) continue;
    block++;
    let current: SnippetFile | null = null;
    let j = i + 1;
    for (; j < lines.length && !/^```\s*$/.test(lines[j]!); j++) {
      const marker = FILE_MARKER.exec(lines[j]!);
      if (marker || current === null) {
        current = { name: marker ? marker[1]! : `snippet-${block}.ts`, text: '', line: j + 1 };
        files.push(current);
        if (marker) continue;
      }
      current.text += `${lines[j]}\n`;
    }
    i = j;
  }
  return files;
}
