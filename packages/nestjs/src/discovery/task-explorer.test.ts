import 'reflect-metadata';
import {
  BadRequestException, Catch, ForbiddenException, Inject, Injectable, ParseIntPipe, Scope, StandardSchemaValidationPipe, UseFilters, UseGuards,
  UseInterceptors, type CallHandler, type CanActivate, type ExceptionFilter, type ExecutionContext, type NestInterceptor,
  type ParameterDecoratorOptions, type Provider,
} from '@nestjs/common';
import { APP_PIPE, REQUEST } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { map, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Reject, RemoteTaskError, type CeleriacApp, type TaskContext } from '@celeriac/core';
import { CELERIAC_APP } from '../celeriac.constants.js';
import { CeleriacModule } from '../celeriac.module.js';
import { Arg, Args, Kwarg, Kwargs } from '../decorators/task-args.decorator.js';
import { TaskCtx } from '../decorators/task-ctx.decorator.js';
import { TaskProcessor } from '../decorators/task-processor.decorator.js';
import { Task } from '../decorators/task.decorator.js';
import { WorkerLifecycleService } from '../lifecycle/worker-lifecycle.service.js';
import { CapturingLogger, quietCoreLogger, waitFor } from '../../test/support/nest-testing.js';

@Injectable()
class Calculator {
  add(x: number, y: number): number {
    return x + y;
  }
}

@Injectable()
class Journal {
  readonly lines: string[] = [];
}

const positiveInt: NonNullable<ParameterDecoratorOptions['schema']> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? { value: v } : { issues: [{ message: 'expected a positive integer' }] }),
  },
};

@Injectable()
class RecordingInterceptor implements NestInterceptor {
  constructor(@Inject(Journal) private readonly journal: Journal) {}
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.journal.lines.push(`${context.getType()} ${context.getClass().name}.${context.getHandler().name} ${JSON.stringify(context.getArgs())}`);
    return next.handle().pipe(map((value) => ({ intercepted: value })));
  }
}

class NoForbiddenWords implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.getArgByIndex(0) !== 'forbidden';
  }
}

@Catch(BadRequestException)
class RejectInvalidPayload implements ExceptionFilter {
  catch(error: BadRequestException): never {
    throw new Reject(`invalid payload: ${error.message}`);
  }
}

@Catch(RangeError)
class FallbackOnRangeError implements ExceptionFilter {
  catch(): unknown {
    return { fallback: true };
  }
}

@TaskProcessor()
class MathProcessor {
  // injected by type: needs design:paramtypes from the transformer
  constructor(private readonly calc: Calculator) {}

  @Task('t.add')
  add(x: number, y: number): number {
    return this.calc.add(x, y);
  }

  @Task('t.double')
  double(@Arg(0, ParseIntPipe) n: number): number {
    return n * 2;
  }

  @Task('t.schema')
  schema(@Arg(0, { schema: positiveInt }) n: number): number {
    return n + 1;
  }

  @Task('t.context')
  context(@Arg(1) second: string, @TaskCtx() ctx: TaskContext) {
    return { second, id: ctx.id, name: ctx.name, retries: ctx.retries };
  }

  @Task('t.keywords')
  keywords(@Kwarg('to') to: string, @Kwargs() all: Record<string, unknown>, @Args() args: unknown[]) {
    return { to, all, args };
  }

  @Task('t.named', { params: ['x', 'y'] })
  named(@Arg(0) x: number, @Arg(1) y: number) {
    return x - y;
  }

  @Task('t.retry', { maxRetries: 3 })
  retry(@TaskCtx() ctx: TaskContext): number {
    if (ctx.retries < 2) ctx.retry({ countdown: 0.01 });
    return ctx.retries;
  }

  @Task('t.intercepted')
  @UseInterceptors(RecordingInterceptor)
  intercepted(x: number): number {
    return x * 10;
  }

  @Task('t.guarded')
  @UseGuards(NoForbiddenWords)
  guarded(word: string): string {
    return word.toUpperCase();
  }

  @Task('t.validated')
  @UseFilters(RejectInvalidPayload)
  validated(@Arg(0, ParseIntPipe) n: number): number {
    return n;
  }

  @Task('t.fallback')
  @UseFilters(FallbackOnRangeError)
  fallback(): never {
    throw new RangeError('out of range');
  }

  @Task('t.fails')
  fails(): never {
    throw new TypeError('boom');
  }

  notATask(): string {
    return 'never registered';
  }
}

@Injectable()
class RunCounter {
  count = 0;
}

@TaskProcessor({ scope: Scope.REQUEST })
class PerRunProcessor {
  readonly #instance: number;
  constructor(@Inject(REQUEST) private readonly ctx: TaskContext, @Inject(RunCounter) counter: RunCounter) {
    this.#instance = ++counter.count;
  }

  @Task('t.per-run')
  run(x: number) {
    return { x, id: this.ctx.id, instance: this.#instance };
  }
}

@TaskProcessor({ defaults: { queue: 'emails', ignoreResult: true } })
class EmailProcessor {
  @Task('emails.send', { ignoreResult: false })
  send(to: string): string {
    return `sent to ${to}`;
  }
}

let moduleRef: TestingModule | undefined;

async function boot(providers: Provider[], logs = new CapturingLogger()) {
  moduleRef = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot({ broker: 'memory://', backend: 'memory://', appOptions: { logger: quietCoreLogger } })],
    providers: [Calculator, Journal, RecordingInterceptor, ...providers],
  }).setLogger(logs).compile();
  await moduleRef.init();
  return { app: moduleRef.get<CeleriacApp>(CELERIAC_APP), logs, moduleRef };
}

async function run<R>(app: CeleriacApp, name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<R> {
  return (await app.sendTask<R>(name, args, kwargs)).get({ timeout: 3000 });
}

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
});

describe('@Task methods', () => {
  it('registers every @Task method of a processor, and nothing else, with dependencies injected', async () => {
    const { app } = await boot([MathProcessor]);
    expect([...app.tasks.keys()].filter((n) => n.startsWith('t.')).sort()).toEqual([
      't.add', 't.context', 't.double', 't.fails', 't.fallback', 't.guarded', 't.intercepted', 't.keywords', 't.named', 't.retry', 't.schema', 't.validated',
    ]);
    expect(await run(app, 't.add', [2, 3])).toBe(5);
  });

  it('runs pipes on @Arg parameters, and a failing pipe fails the task', async () => {
    const { app } = await boot([MathProcessor]);
    expect(await run(app, 't.double', ['21'])).toBe(42);
    const err = await run(app, 't.double', ['abc']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteTaskError);
    expect((err as RemoteTaskError).excType).toBe('BadRequestException');
  });

  it('validates a Standard Schema with a global StandardSchemaValidationPipe (APP_PIPE)', async () => {
    const { app } = await boot([MathProcessor, { provide: APP_PIPE, useValue: new StandardSchemaValidationPipe() }]);
    expect(await run(app, 't.schema', [41])).toBe(42);
    const err = await run(app, 't.schema', [-1]).catch((e: unknown) => e);
    expect((err as RemoteTaskError).excType).toBe('BadRequestException');
  });

  it('injects the task context with @TaskCtx() and keyword arguments with @Kwarg()/@Kwargs()', async () => {
    const { app } = await boot([MathProcessor]);
    const sent = await app.sendTask<{ second: string; id: string; name: string; retries: number }>('t.context', ['a', 'b']);
    expect(await sent.get({ timeout: 3000 })).toEqual({ second: 'b', id: sent.id, name: 't.context', retries: 0 });
    expect(await run(app, 't.keywords', [1], { to: 'ada@example.com', cc: 'bob' })).toEqual({
      to: 'ada@example.com', all: { to: 'ada@example.com', cc: 'bob' }, args: [1],
    });
    expect(await run(app, 't.named', [], { y: 2, x: 10 })).toBe(8);
  });

  it('lets ctx.retry() through the filter chain without an "ExceptionsHandler" error log', async () => {
    const { app, logs } = await boot([MathProcessor]);
    expect(await run(app, 't.retry')).toBe(2);
    expect(logs.lines('error', 'ExceptionsHandler')).toEqual([]);
    // a real failure still goes through Nest's default filter
    await run(app, 't.fails').catch(() => undefined);
    expect(logs.lines('error', 'ExceptionsHandler')).toEqual(['TypeError: boom']);
  });

  it('logs each failure once at error level (Nest\'s ExceptionsHandler, with the stack); the worker\'s own line goes to debug', async () => {
    const logs = new CapturingLogger();
    moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ broker: 'memory://', backend: 'memory://' })], // the module's own Nest logger
      providers: [Calculator, Journal, RecordingInterceptor, MathProcessor],
    }).setLogger(logs).compile();
    await moduleRef.init();
    const app = moduleRef.get<CeleriacApp>(CELERIAC_APP);
    for (let i = 0; i < 3; i++) await run(app, 't.fails').catch(() => undefined);
    await waitFor(() => logs.lines('debug', 'Celeriac').filter((l) => l.includes('raised unexpected')).length === 3);
    expect(logs.lines('error')).toEqual(['TypeError: boom', 'TypeError: boom', 'TypeError: boom']);
    expect(logs.lines('error', 'Celeriac')).toEqual([]);
  });

  it('applies interceptors with a "celeriac" execution context whose args are the task arguments', async () => {
    const { app, moduleRef: ref } = await boot([MathProcessor]);
    expect(await run(app, 't.intercepted', [4])).toEqual({ intercepted: 40 });
    expect(ref.get(Journal).lines).toEqual(['celeriac MathProcessor.intercepted [4]']);
  });

  it('applies guards: a denied run fails with ForbiddenException', async () => {
    const { app } = await boot([MathProcessor]);
    expect(await run(app, 't.guarded', ['ok'])).toBe('OK');
    const err = await run(app, 't.guarded', ['forbidden']).catch((e: unknown) => e);
    expect((err as RemoteTaskError).excType).toBe(ForbiddenException.name);
  });

  it('applies exception filters: one can turn a pipe error into Reject (dead-letter), another into a result', async () => {
    const { app, moduleRef: ref } = await boot([MathProcessor]);
    const worker = ref.get(WorkerLifecycleService).worker!;
    const deadLettered: string[] = [];
    worker.events.on('dead-lettered', (info) => deadLettered.push(info.reason));
    await app.sendTask('t.validated', ['not a number']);
    await waitFor(() => deadLettered.length === 1);
    expect(deadLettered[0]).toMatch(/^Reject: invalid payload: Validation failed/);
    expect(await run(app, 't.fallback')).toEqual({ fallback: true });
  });

  it('gives a request-scoped processor a new instance per run, with REQUEST = the task context', async () => {
    const { app } = await boot([RunCounter, PerRunProcessor]);
    const first = await app.sendTask<{ x: number; id: string; instance: number }>('t.per-run', [1]);
    const second = await app.sendTask<{ x: number; id: string; instance: number }>('t.per-run', [2]);
    const [a, b] = [await first.get({ timeout: 3000 }), await second.get({ timeout: 3000 })];
    expect(a.id).toBe(first.id);
    expect(b.id).toBe(second.id);
    expect(new Set([a.instance, b.instance]).size).toBe(2);
  });

  it('starts from the processor defaults, method options win, and the worker consumes the task queue', async () => {
    const { app, moduleRef: ref } = await boot([EmailProcessor]);
    expect(app.tasks.get('emails.send')!.options).toEqual({ queue: 'emails', ignoreResult: false });
    expect(ref.get(WorkerLifecycleService).worker!.options.queues).toEqual(['celery', 'emails']);
    expect(await run(app, 'emails.send', ['ada'])).toBe('sent to ada');
  });
});
