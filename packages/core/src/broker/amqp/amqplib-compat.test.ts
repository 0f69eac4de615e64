import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AMQPLIB_VERSION, patchedAmqplib } from './amqplib-compat.js';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const lib = join(dirname(require.resolve('amqplib')), 'lib');

interface Defs {
  encodeProperties(id: number, channel: number, size: number, fields: object): Buffer;
}

describe('Celeriac’s amqplib instance', () => {
  it('is the pinned amqplib version this module was written for', () => {
    expect(pkg.dependencies.amqplib).toBe(AMQPLIB_VERSION);
    expect(patchedAmqplib().version).toBe(AMQPLIB_VERSION);
  });

  it('leaves the application’s own amqplib untouched, loaded before or after', () => {
    const before = require(join(lib, 'defs.js')) as Defs;
    const ours = patchedAmqplib();
    const after = require('amqplib') as typeof ours.amqp;
    expect(ours.amqp).not.toBe(after);
    expect(typeof ours.amqp.connect).toBe('function');
    // the stock encoder still writes 300 as a short ('s'); ours never does (checked at load time)
    const frame = before.encodeProperties(60, 1, 0, { headers: { n: 300 } });
    expect(frame.includes(Buffer.from([1, 0x6e, 0x73]))).toBe(true);
    expect(require(join(lib, 'defs.js'))).toBe(before);
  });

  it('loads from both published builds (ES module and CommonJS)', () => {
    const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));
    const probe = 'const b = new m.AmqpBroker({ url: "amqp://127.0.0.1:1" }); console.log(typeof b.connect);';
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(dist, 'index.js'))}); ${probe}`]).toString().trim()).toBe('function');
    expect(execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(dist, 'index.cjs'))}); ${probe}`]).toString().trim()).toBe('function');
  });
});
