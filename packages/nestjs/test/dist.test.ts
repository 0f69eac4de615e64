/**
 * Boots the built package (dist/), not the sources. tsup compiles the library with swc and
 * vitest compiles this file with Oxc; Nest injects by type only when each emitted
 * `design:paramtypes`. Build first: `npx tsup` (turbo runs `build` before `test`).
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import type { CeleriacApp } from '@celeriac/core';
import { CapturingLogger, quietCoreLogger } from './support/nest-testing.js';

type NestPackage = typeof import('../src/index.js');

const esmPath = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const cjsPath = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));
if (!existsSync(esmPath) || !existsSync(cjsPath)) throw new Error('packages/nestjs/dist is missing: run `npx tsup` before this test');

const esm = (await import(esmPath)) as NestPackage;
const cjs = createRequire(import.meta.url)(cjsPath) as NestPackage;

@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

function processorFor(pkg: NestPackage) {
  @pkg.TaskProcessor()
  class GreetProcessor {
    // injected by type: no @Inject(), so this needs design:paramtypes on this class
    constructor(private readonly greeter: Greeter) {}

    @pkg.Task('dist.greet')
    greet(@pkg.Arg(0) name: string): string {
      return this.greeter.greet(name);
    }
  }
  return GreetProcessor;
}

async function bootAndRun(pkg: NestPackage): Promise<unknown> {
  const ref = await Test.createTestingModule({
    imports: [pkg.CeleriacModule.forRoot({ broker: 'memory://', backend: 'memory://', appOptions: { logger: quietCoreLogger } })],
    providers: [Greeter, processorFor(pkg)],
  }).setLogger(new CapturingLogger()).compile();
  await ref.init();
  try {
    const app = ref.get<CeleriacApp>(pkg.CELERIAC_APP);
    expect(ref.get(pkg.WorkerLifecycleService).worker?.state).toBe('running');
    return await (await app.sendTask('dist.greet', ['dist'])).get({ timeout: 3000 });
  } finally {
    await ref.close();
  }
}

describe('the built package', () => {
  it('carries decorator metadata in the ESM and CJS builds (tsup ran swc)', () => {
    for (const pkg of [esm, cjs]) {
      const paramtypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', pkg.WorkerLifecycleService);
      expect(paramtypes, 'dist was built without decorator metadata: is @swc/core installed at the root?').toHaveLength(4);
    }
  });

  it('boots a module from dist/index.js whose processor gets a provider injected by type', async () => {
    expect(await bootAndRun(esm)).toBe('hello dist');
  });

  it('boots the same from dist/index.cjs', async () => {
    expect(await bootAndRun(cjs)).toBe('hello dist');
  });
});
