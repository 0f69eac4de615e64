import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = (f: string) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/core/dist/cli.js', import.meta.url));

function runFor(args: string[], stopWhen: (out: string) => boolean, timeoutMs: number, signal: NodeJS.Signals = 'SIGINT'): Promise<{ out: string; code: number | null }> {
  const cwd = mkdtempSync(join(tmpdir(), 'celeriac-beat-app-')); // the default file store writes here
  const env = { ...process.env };
  delete env.AMQP_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env });
    let out = '';
    let stopped = false;
    const onData = (b: Buffer) => {
      out += b.toString();
      if (!stopped && stopWhen(out)) {
        stopped = true;
        child.kill(signal);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output:\n${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ out, code });
    });
  });
}

describe('beat sample app', () => {
  it('npm start: the beat sends the 2-second heartbeat and the worker runs it', async () => {
    const { out, code } = await runFor([dist('main.js')], (o) => o.includes('ran  tasks.heartbeat'), 20_000);
    expect(out).toContain('is the leader');
    expect(out).toMatch(/sent heartbeat-every-2s \(tasks\.heartbeat\)/);
    expect(out).toContain('ran  tasks.heartbeat -> "example-beat is alive"');
    expect(code).toBe(0);
  });

  it('celeriac beat -A dist/schedule.js runs the exported beat until Ctrl-C', async () => {
    const { out, code } = await runFor([CLI, 'beat', '-A', dist('schedule.js')], (o) => o.includes('celeriac beat started'), 20_000);
    expect(out).toContain('celeriac beat started from');
    expect(code).toBe(0);
  });

  it('celeriac beat says why it stops on SIGTERM, then exits 0', async () => {
    const { out, code } = await runFor([CLI, '-A', dist('schedule.js'), 'beat'], (o) => o.includes('celeriac beat started'), 20_000, 'SIGTERM');
    expect(out).toMatch(/SIGTERM received: warm shutdown[ ,(]+stopping the beat and releasing its lock/);
    expect(out).toContain('beat: stopped');
    expect(code).toBe(0);
  });

  it('celeriac -A dist/schedule.js worker -B runs the beat inside the worker', async () => {
    const { out, code } = await runFor([CLI, '-A', dist('schedule.js'), 'worker', '-B'], (o) => o.includes('Sending due task heartbeat-every-2s'), 20_000, 'SIGTERM');
    expect(out).toContain('beat: started in this worker (-B)');
    expect(out).toContain('SIGTERM received: warm shutdown');
    expect(code).toBe(0);
  });
});
