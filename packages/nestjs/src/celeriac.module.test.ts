import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, MemoryBackend, MemoryBroker, TaskState, type CeleriacApp } from '@celeriac/core';
import { CELERIAC_APP } from './celeriac.constants.js';
import { CeleriacModule } from './celeriac.module.js';
import { InjectCeleriac } from './decorators/inject-celeriac.decorator.js';
import { TaskProcessor } from './decorators/task-processor.decorator.js';
import { Task } from './decorators/task.decorator.js';
import { WorkerLifecycleService } from './lifecycle/worker-lifecycle.service.js';
import { CapturingLogger, quietCoreLogger, sleep } from '../test/support/nest-testing.js';

const POD = Symbol('POD');

@TaskProcessor()
class WhereProcessor {
  constructor(@Inject(POD) private readonly pod: string) {}

  @Task('where.am.i')
  where(): string {
    return this.pod;
  }

  @Task('slow.echo')
  async slow(ms: number, value: string): Promise<string> {
    await sleep(ms);
    return value;
  }
}

const opened: TestingModule[] = [];

async function boot(imports: unknown[], providers: unknown[] = []): Promise<TestingModule> {
  const ref = await Test.createTestingModule({ imports: imports as never[], providers: providers as never[] }).setLogger(new CapturingLogger()).compile();
  opened.push(ref);
  await ref.init();
  return ref;
}

afterEach(async () => {
  for (const ref of opened.splice(0)) await ref.close();
});

describe('CeleriacModule roles', () => {
  it('API-only (worker: false) registers tasks but starts no consumer; a worker process on the same broker runs them', async () => {
    const broker = new MemoryBroker();
    const backend = new MemoryBackend();
    const common = { broker, backend, appOptions: { logger: quietCoreLogger } };
    const api = await boot([CeleriacModule.forRoot({ ...common, worker: false })], [WhereProcessor, { provide: POD, useValue: 'api' }]);
    expect(api.get(WorkerLifecycleService).worker).toBeNull();
    const apiApp = api.get<CeleriacApp>(CELERIAC_APP);
    expect(apiApp.tasks.has('where.am.i')).toBe(true);

    const result = await apiApp.sendTask<string>('where.am.i');
    await sleep(50);
    expect(await result.state()).toBe(TaskState.PENDING);

    await boot([CeleriacModule.forRoot({ ...common, worker: { concurrency: 2 } })], [WhereProcessor, { provide: POD, useValue: 'worker' }]);
    expect(await result.get({ timeout: 2000 })).toBe('worker');
  });

  it('drains on shutdown: a running task finishes and its result is stored before close() resolves', async () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: quietCoreLogger });
    const ref = await boot([CeleriacModule.forRoot({ app, worker: { shutdownTimeout: 5000 } })], [WhereProcessor, { provide: POD, useValue: 'w' }]);
    const worker = ref.get(WorkerLifecycleService).worker!;
    const result = await app.sendTask<string>('slow.echo', [200, 'done']);
    await new Promise<void>((resolve) => worker.events.once('task-started', () => resolve()));
    await ref.close();
    opened.splice(opened.indexOf(ref), 1);
    expect(worker.state).toBe('stopped');
    expect(await result.state()).toBe(TaskState.SUCCESS);
    expect(await result.get({ timeout: 100 })).toBe('done');
    // an app passed in is not closed by the module: its owner closes it
    expect(app.broker.state).not.toBe('closed');
    await app.close();
  });

  it('closes the app it created on shutdown', async () => {
    const ref = await boot([CeleriacModule.forRoot({ broker: 'memory://', backend: 'memory://', appOptions: { logger: quietCoreLogger } })]);
    const app = ref.get<CeleriacApp>(CELERIAC_APP);
    expect(app.broker.state).toBe('ready');
    await ref.close();
    opened.splice(opened.indexOf(ref), 1);
    expect(app.broker.state).toBe('closed');
  });

  it('refuses `app` together with broker/backend/appOptions', async () => {
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: quietCoreLogger });
    await expect(Test.createTestingModule({ imports: [CeleriacModule.forRoot({ app, broker: 'memory://' })] }).setLogger(new CapturingLogger()).compile())
      .rejects.toThrow(/pass either `app` or `broker` \/ `backend` \/ `appOptions`, not both/);
    await app.close();
  });
});

@Injectable()
class ConfigService {
  readonly values: Record<string, string> = { BROKER: 'memory://', DEFAULT_QUEUE: 'from-config' };
  get(key: string): string {
    return this.values[key]!;
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

@Injectable()
class Enqueuer {
  constructor(@InjectCeleriac() readonly celeriac: CeleriacApp) {}
}

// does not import CeleriacModule: isGlobal makes the app injectable everywhere
@Module({ providers: [Enqueuer], exports: [Enqueuer] })
class FeatureModule {}

describe('CeleriacModule.forRootAsync', () => {
  it('builds the options with a factory and its injected dependencies; isGlobal exposes @InjectCeleriac() everywhere', async () => {
    const ref = await boot([
      CeleriacModule.forRootAsync({
        isGlobal: true,
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          broker: config.get('BROKER'),
          backend: 'memory://',
          appOptions: { defaultQueue: config.get('DEFAULT_QUEUE'), logger: quietCoreLogger },
        }),
      }),
      FeatureModule,
    ]);
    const app = ref.get(Enqueuer).celeriac;
    expect(app).toBe(ref.get(CELERIAC_APP));
    expect(app.options.defaultQueue).toBe('from-config');
    expect(ref.get(WorkerLifecycleService).worker!.options.queues).toEqual(['from-config']);
  });

  it('without isGlobal, a module that does not import CeleriacModule cannot inject the app', async () => {
    await expect(
      Test.createTestingModule({
        imports: [CeleriacModule.forRootAsync({ useFactory: () => ({ broker: 'memory://', worker: false }) }), FeatureModule],
      }).setLogger(new CapturingLogger()).compile(),
    ).rejects.toThrow(/Nest can't resolve dependencies of the Enqueuer/);
  });
});
