import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

describe('README example', () => {
  it('is the code in apps/demo/src/readme-example.ts', () => {
    const readme = readFileSync(root('README.md'), 'utf8');
    const block = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const file = readFileSync(root('apps/demo/src/readme-example.ts'), 'utf8').split('\n').slice(1).join('\n');
    expect(block).toBe(file);
  });

  it('runs as written and prints 5', async () => {
    const env = { ...process.env };
    delete env.AMQP_URL;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [root('apps/demo/dist/readme-example.js')], { env, timeout: 20_000 }, (err, out) => (err ? reject(err) : resolve(out)));
    });
    expect(stdout.trim()).toBe('5');
  });
});
