import 'reflect-metadata';
import { createParamDecorator, Injectable, ParseIntPipe, type ArgumentMetadata, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { currentTask, type CeleriacApp } from '@celeriac/core';
import { CELERIAC_APP } from '../celeriac.constants.js';
import { CeleriacModule } from '../celeriac.module.js';
import { Arg, Kwarg } from '../decorators/task-args.decorator.js';
import { TaskCtx } from '../decorators/task-ctx.decorator.js';
import { TaskProcessor } from '../decorators/task-processor.decorator.js';
import { Task } from '../decorators/task.decorator.js';
import { CapturingLogger, quietCoreLogger } from '../../test/support/nest-testing.js';

/** A custom decorator made with Nest's createParamDecorator works on task methods too. */
const Retries = createParamDecorator((_data: unknown, context: ExecutionContext) => ({
  retries: currentTask().retries,
  type: context.getType(),
  args: context.getArgs(),
}));

@Injectable()
class SeenTypes implements PipeTransform {
  static readonly seen: string[] = [];
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    SeenTypes.seen.push(`${metadata.type}:${String(metadata.data)}`);
    return value;
  }
}

@TaskProcessor()
class ParamsProcessor {
  @Task('p.custom')
  custom(@Arg(0) x: number, @Retries() info: unknown) {
    return { x, info };
  }

  @Task('p.kwarg')
  kwarg(@Kwarg('count', ParseIntPipe) count: number) {
    return count + 1;
  }

  @Task('p.types')
  types(@Arg(0, SeenTypes) a: unknown, @Kwarg('k', SeenTypes) k: unknown, @TaskCtx() _ctx: unknown) {
    return [a, k];
  }

  @Task('p.base')
  base(@Arg(0) value: string): string {
    return `base ${value}`;
  }
}

@TaskProcessor()
class ChildProcessor extends ParamsProcessor {
  @Task('p.child')
  override base(@Arg(1) value: string): string {
    return `child ${value}`;
  }
}

let moduleRef: TestingModule | undefined;

async function boot(processor: new (...args: never[]) => unknown) {
  moduleRef = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot({ broker: 'memory://', backend: 'memory://', appOptions: { logger: quietCoreLogger } })],
    providers: [processor],
  }).setLogger(new CapturingLogger()).compile();
  await moduleRef.init();
  const app = moduleRef.get<CeleriacApp>(CELERIAC_APP);
  return <R>(name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
    app.sendTask<R>(name, args, kwargs).then((r) => r.get({ timeout: 3000 }));
}

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
});

describe('task parameters', () => {
  it('runs createParamDecorator() decorators with a celeriac execution context', async () => {
    const run = await boot(ParamsProcessor);
    expect(await run('p.custom', [5])).toEqual({ x: 5, info: { retries: 0, type: 'celeriac', args: [5] } });
  });

  it('runs pipes on keyword arguments', async () => {
    const run = await boot(ParamsProcessor);
    expect(await run('p.kwarg', [], { count: '41' })).toBe(42);
  });

  it('shows pipes positional arguments as "body", keyword ones as "query", and skips none of them', async () => {
    SeenTypes.seen.length = 0;
    const run = await boot(ParamsProcessor);
    expect(await run('p.types', ['a'], { k: 'b' })).toEqual(['a', 'b']);
    expect(SeenTypes.seen.sort()).toEqual(['body:0', 'query:k']);
  });

  it('lets an overriding method declare its own parameters', async () => {
    const run = await boot(ChildProcessor);
    expect(await run('p.child', ['first', 'second'])).toBe('child second');
  });
});
