import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigurationError, type CeleriacApp, type TaskContext, type TaskHandle } from '@celeriac/core';
import { CELERIAC_APP } from './celeriac.constants.js';
import { CeleriacModule } from './celeriac.module.js';
import { Arg } from './decorators/task-args.decorator.js';
import { TaskCtx } from './decorators/task-ctx.decorator.js';
import { TaskProcessor } from './decorators/task-processor.decorator.js';
import { Task } from './decorators/task.decorator.js';
import { taskHandle, type TaskArgsOf } from './task-handle.js';
import { CapturingLogger, quietCoreLogger } from '../test/support/nest-testing.js';

@TaskProcessor()
class MathProcessor {
  @Task('math.add')
  add(x: number, y: number): number {
    return x + y;
  }

  @Task('math.describe')
  async describe(@Arg(0) label: string, @TaskCtx() ctx: TaskContext): Promise<{ label: string; id: string }> {
    return { label, id: ctx.id };
  }

  helper(): string {
    return 'not a task';
  }
}

let moduleRef: TestingModule | undefined;

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
});

describe('taskHandle()', () => {
  it('types the handle from the method: arguments without a trailing task context, awaited result', () => {
    const app = { signature: () => ({}) } as unknown as CeleriacApp;
    expectTypeOf(taskHandle(app, MathProcessor, 'add')).toEqualTypeOf<TaskHandle<[x: number, y: number], number>>();
    expectTypeOf(taskHandle(app, MathProcessor, 'describe')).toEqualTypeOf<TaskHandle<[label: string], { label: string; id: string }>>();
    expectTypeOf<TaskArgsOf<(a: unknown) => void>>().toEqualTypeOf<[a: unknown]>();
    // @ts-expect-error not a method of the class
    expect(() => taskHandle(app, MathProcessor, 'nope')).toThrow(ConfigurationError);
  });

  it('sends to the name given by @Task(), and refuses a method without it', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ broker: 'memory://', backend: 'memory://', appOptions: { logger: quietCoreLogger } })],
      providers: [MathProcessor],
    }).setLogger(new CapturingLogger()).compile();
    await moduleRef.init();
    const app = moduleRef.get<CeleriacApp>(CELERIAC_APP);
    const add = taskHandle(app, MathProcessor, 'add');
    expect(add.name).toBe('math.add');
    expect(await (await add.delay(2, 3)).get({ timeout: 3000 })).toBe(5);
    const described = await taskHandle(app, MathProcessor, 'describe').delay('x');
    expect(await described.get({ timeout: 3000 })).toEqual({ label: 'x', id: described.id });
    expect(() => taskHandle(app, MathProcessor, 'helper')).toThrow(/MathProcessor.helper is not a @Task\(\) method/);
  });
});
