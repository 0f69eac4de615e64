import 'reflect-metadata';
import { Inject, Injectable, Scope, type Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type CeleriacApp, type TaskRequest } from '@celeriac/core';
import { beatLoader, type BeatModule } from '../beat/beat-loader.js';
import { CELERIAC_APP, CELERIAC_BEAT_LOADER } from '../celeriac.constants.js';
import { CeleriacModule } from '../celeriac.module.js';
import type { CeleriacModuleOptions } from '../interfaces/celeriac-module-options.interface.js';
import { OnWorkerEvent } from '../decorators/on-worker-event.decorator.js';
import { Periodic } from '../decorators/periodic.decorator.js';
import { TaskProcessor } from '../decorators/task-processor.decorator.js';
import { Task } from '../decorators/task.decorator.js';
import { WorkerLifecycleService } from './worker-lifecycle.service.js';
import { CapturingLogger, quietCoreLogger, waitFor } from '../../test/support/nest-testing.js';

@Injectable()
class Journal {
  readonly lines: string[] = [];
}

@TaskProcessor()
class ObservedProcessor {
  constructor(@Inject(Journal) private readonly journal: Journal) {}

  @Task('obs.ok')
  ok(x: number): number {
    return x;
  }

  @Task('obs.fail')
  fail(): never {
    throw new Error('bad input');
  }

  @OnWorkerEvent('task-succeeded')
  onSucceeded(request: TaskRequest, result: unknown): void {
    this.journal.lines.push(`succeeded ${request.name} ${JSON.stringify(result)}`);
  }

  @OnWorkerEvent('task-failed')
  @OnWorkerEvent('task-retried')
  onTrouble(request: TaskRequest | null, error: Error): void {
    this.journal.lines.push(`trouble ${request?.name ?? '?'} ${error.message}`);
  }

  @OnWorkerEvent('task-received')
  async onReceived(request: TaskRequest): Promise<void> {
    if (request.name === 'obs.fail') throw new Error('listener broke');
  }
}

const every = (ms: number) => ({ kind: 'every', ms });

@TaskProcessor()
class ReportProcessor {
  @Task('reports.nightly')
  @Periodic('nightly-report', { schedule: every(86_400_000), args: ['full'] })
  @Periodic('hourly-report', { schedule: every(3_600_000), kwargs: { mode: 'quick' }, options: { queue: 'reports' } })
  nightly(mode: string): string {
    return mode;
  }
}

@TaskProcessor()
class PeriodicWithoutTask {
  @Periodic('orphan', { schedule: every(1000) })
  orphan(): void {}
}

@TaskProcessor({ scope: Scope.REQUEST })
class ScopedListener {
  @OnWorkerEvent('task-failed')
  onFailed(): void {}
}

@TaskProcessor()
class DuplicateA {
  @Task('dup.task')
  a(): void {}
}

@TaskProcessor()
class DuplicateB {
  @Task('dup.task')
  b(): void {}
}

function fakeBeat() {
  const calls: string[] = [];
  const created: { app: CeleriacApp; options: Record<string, unknown> }[] = [];
  const mod: BeatModule = {
    createBeat(app, options) {
      created.push({ app, options });
      return {
        start: async () => void calls.push('start'),
        stop: async () => void calls.push('stop'),
      };
    },
  };
  return { calls, created, loader: async () => mod };
}

let moduleRef: TestingModule | undefined;

async function compile(providers: Provider[], options: CeleriacModuleOptions = {}, loader?: () => Promise<BeatModule>) {
  const logs = new CapturingLogger();
  const builder = Test.createTestingModule({
    imports: [CeleriacModule.forRoot({ broker: 'memory://', backend: 'memory://', appOptions: { logger: quietCoreLogger }, ...options })],
    providers: [Journal, ...providers],
  }).setLogger(logs);
  if (loader) builder.overrideProvider(CELERIAC_BEAT_LOADER).useValue(loader);
  moduleRef = await builder.compile();
  return { moduleRef, logs };
}

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
});

describe('@OnWorkerEvent', () => {
  it('subscribes processor methods to the worker events, and reports a failing listener on the worker "error" event', async () => {
    const { moduleRef: ref } = await compile([ObservedProcessor]);
    await ref.init();
    const app = ref.get<CeleriacApp>(CELERIAC_APP);
    const errors: string[] = [];
    ref.get(WorkerLifecycleService).worker!.events.on('error', (e) => errors.push(e.message));
    const journal = ref.get(Journal);
    await (await app.sendTask('obs.ok', [7])).get({ timeout: 2000 });
    await (await app.sendTask('obs.fail')).get({ timeout: 2000 }).catch(() => undefined);
    await waitFor(() => journal.lines.length === 2 && errors.length === 1);
    expect(journal.lines).toEqual(['succeeded obs.ok 7', 'trouble obs.fail bad input']);
    expect(errors).toEqual(['@OnWorkerEvent listener ObservedProcessor.onReceived failed: listener broke']);
  });

  it('refuses a listener on a request-scoped processor at bootstrap', async () => {
    const { moduleRef: ref } = await compile([ScopedListener]);
    await expect(ref.init()).rejects.toThrow(/@OnWorkerEvent\(\) on ScopedListener.onFailed: worker events need a singleton processor/);
  });
});

describe('registration errors', () => {
  it('names both places when two @Task methods claim one name', async () => {
    const { moduleRef: ref } = await compile([DuplicateA, DuplicateB]);
    await expect(ref.init()).rejects.toThrow(/@Task\("dup.task"\) is on both DuplicateA.a and DuplicateB.b/);
  });

  it('names the method when the app already has a task of that name', async () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: quietCoreLogger });
    app.task('dup.task', () => 'registered by hand');
    moduleRef = await Test.createTestingModule({ imports: [CeleriacModule.forRoot({ app })], providers: [DuplicateA] })
      .setLogger(new CapturingLogger()).compile();
    await expect(moduleRef.init()).rejects.toThrow(/@Task\("dup.task"\) on DuplicateA.a: task "dup.task" is already registered/);
    await app.close();
  });
});

describe('@Periodic and beat', () => {
  it('hands the entries to createBeat(app, ...), merged with extra ones, and stops beat before the worker on shutdown', async () => {
    const beat = fakeBeat();
    const { moduleRef: ref } = await compile([ReportProcessor], { beat: { schedule: { extra: { task: 'x', schedule: every(5) } }, lockTtl: 30 } }, beat.loader);
    await ref.init();
    const lifecycle = ref.get(WorkerLifecycleService);
    expect(beat.created).toHaveLength(1);
    expect(beat.created[0]!.app).toBe(ref.get(CELERIAC_APP));
    expect(beat.created[0]!.options).toEqual({
      lockTtl: 30,
      schedule: {
        extra: { task: 'x', schedule: every(5) },
        'nightly-report': { task: 'reports.nightly', schedule: every(86_400_000), args: ['full'] },
        'hourly-report': { task: 'reports.nightly', schedule: every(3_600_000), kwargs: { mode: 'quick' }, options: { queue: 'reports' } },
      },
    });
    expect(beat.calls).toEqual(['start']);
    const worker = lifecycle.worker!;
    worker.events.on('worker-offline', () => beat.calls.push('worker stopped'));
    await ref.close();
    moduleRef = undefined;
    expect(beat.calls).toEqual(['start', 'stop', 'worker stopped']);
  });

  it('runs beat without a worker (worker: false)', async () => {
    const beat = fakeBeat();
    const { moduleRef: ref } = await compile([ReportProcessor], { worker: false, beat: true }, beat.loader);
    await ref.init();
    expect(ref.get(WorkerLifecycleService).worker).toBeNull();
    expect(beat.calls).toEqual(['start']);
  });

  it('leaves the entries unscheduled, and says so, when the option beat is not set', async () => {
    const beat = fakeBeat();
    const { moduleRef: ref, logs } = await compile([ReportProcessor], {}, beat.loader);
    await ref.init();
    expect(beat.created).toEqual([]);
    expect(logs.lines('log', 'Celeriac')).toContain('2 @Periodic() entries are not scheduled here: beat runs in the process started with the option `beat`');
  });

  it('fails at bootstrap, before any worker starts, when @celeriac/beat cannot be imported', async () => {
    const { moduleRef: ref } = await compile([ReportProcessor], { beat: true }, beatLoader('@celeriac/not-installed-beat'));
    await expect(ref.init()).rejects.toThrow(/the option `beat` needs @celeriac\/not-installed-beat, which could not be imported/);
    expect(ref.get(WorkerLifecycleService).worker).toBeNull();
  });

  it('refuses duplicate entry names and @Periodic without @Task', async () => {
    const beat = fakeBeat();
    const first = await compile([ReportProcessor], { beat: { schedule: { 'nightly-report': {} } } }, beat.loader);
    await expect(first.moduleRef.init()).rejects.toThrow(/beat entry "nightly-report" is declared twice/);
    await first.moduleRef.close();
    const second = await compile([PeriodicWithoutTask]);
    await expect(second.moduleRef.init()).rejects.toThrow(/@Periodic\(\) on PeriodicWithoutTask.orphan needs @Task\(\) on the same method/);
  });
});
