import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('npm start demo', () => {
  it('runs producer, worker and results on the memory broker and exits 0', async () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const env = { ...process.env };
    delete env.AMQP_URL;
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(process.execPath, [main], { env, timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve({ stdout })));
    });
    expect(stdout).toContain('add(2, 3)                  = 5');
    expect(stdout).toContain('= 42');
    expect(stdout).toContain('chain add(1,2)+10+100      = 113');
    expect(stdout).toContain('succeeded after 2 retries');
    expect(stdout).toContain('builtins.ValueError: demo failure');
    expect(stdout).toContain('done.');
  });
});
