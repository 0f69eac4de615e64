import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { undecodableFields } from '../../protocol/field-table/field-value.js';
import { AMQPLIB_VERSION, patchedAmqplib } from './amqplib-compat.js';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const lib = join(dirname(require.resolve('amqplib')), 'lib');

interface PatchedMux {
  new (out: NodeJS.WritableStream): { pipeFrom(s: NodeJS.ReadableStream): void };
}

interface Defs {
  encodeProperties(id: number, channel: number, size: number, fields: object): Buffer;
}

describe('Celeriac’s amqplib instance', () => {
  it('sends the frames queued in one turn as one corked write (one writev), in order', async () => {
    const { PassThrough, Writable } = await import('node:stream');
    const calls: string[] = [];
    const out = new Writable({
      writev(chunks, done) {
        calls.push(`writev ${chunks.map((c) => String(c.chunk)).join('')}`);
        done();
      },
      write(chunk, _enc, done) {
        calls.push(`write ${String(chunk)}`);
        done();
      },
    });
    const stock = new (require(join(lib, 'mux.js')) as { Mux: PatchedMux }).Mux(out);
    const ours = new (patchedAmqplib().Mux)(out);
    for (const mux of [stock, ours]) {
      const a = new PassThrough();
      const b = new PassThrough();
      mux.pipeFrom(a);
      mux.pipeFrom(b);
      a.write('1');
      b.write('2');
      a.write('3');
      await new Promise((resolve) => setTimeout(resolve, 20));
      calls.push('|');
    }
    const [stockCalls, ourCalls] = calls.join(',').split(',|').map((part) => part.split(',').filter(Boolean));
    expect(stockCalls!.length).toBeGreaterThan(1); // amqplib alone: one write per stream read
    expect(ourCalls).toHaveLength(1); // ours: everything in one writev
    expect(ourCalls![0]).toMatch(/^writev [123]{3}$/);
    const bytes = ourCalls![0]!.slice('writev '.length);
    expect([...bytes].sort().join('')).toBe('123');
    expect(bytes.indexOf('1')).toBeLessThan(bytes.indexOf('3')); // one channel's frames keep their order
  });

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

  it('decodes a content header whose table it cannot read, marked, instead of throwing (which would drop the connection)', () => {
    const { defs } = patchedAmqplib();
    const table = Buffer.from([1, 0x61, 0x49, 0, 0, 0, 7, 1, 0x62, 0x5a, 1, 2, 3]); // a: I 7, then b with an unknown tag
    const frame = Buffer.concat([Buffer.from([0x20, 0x00]), Buffer.from([0, 0, 0, table.length]), table]);
    const props = defs.decode(defs.BasicProperties, frame) as { headers: Record<string, unknown> };
    expect(props.headers).toEqual({ a: 7 });
    expect(undecodableFields(props.headers)?.reason).toBe('header "b": unknown AMQP field type "Z" (0x5a) at byte 9');
  });

  it('is the only amqplib any package loads, so every header and argument table goes through one encoder', () => {
    const packages = fileURLToPath(new URL('../../../../', import.meta.url));
    const offenders: string[] = [];
    for (const pkg of readdirSync(packages)) {
      const src = join(packages, pkg, 'src');
      if (!existsSync(src)) continue;
      for (const file of readdirSync(src, { recursive: true }) as string[]) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.endsWith('amqplib-compat.ts')) continue;
        const text = readFileSync(join(src, file), 'utf8');
        if (/^import (?!type )[^;]*from 'amqplib'|require\('amqplib'\)|import\('amqplib'\)/m.test(text)) offenders.push(`${pkg}/src/${file}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('loads from both published builds (ES module and CommonJS)', () => {
    const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));
    const probe = 'const b = new m.AmqpBroker({ url: "amqp://127.0.0.1:1" }); console.log(typeof b.connect);';
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(dist, 'index.js'))}); ${probe}`]).toString().trim()).toBe('function');
    expect(execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(dist, 'index.cjs'))}); ${probe}`]).toString().trim()).toBe('function');
  });
});
