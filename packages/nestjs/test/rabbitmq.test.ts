/**
 * An API-only Nest app and a worker Nest app that share nothing but RabbitMQ, with queue and
 * exchange names unique to this run; everything they declared is deleted afterwards.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, ParseIntPipe } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, RemoteTaskError, TaskState, type CeleriacApp } from '@celeriac/core';
import { Arg, CELERIAC_APP, CeleriacModule, Task, TaskProcessor, WorkerLifecycleService, type CeleriacModuleOptions } from '../src/index.js';
import { CapturingLogger, quietCoreLogger, sleep } from './support/nest-testing.js';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const id = randomBytes(4).toString('hex');
const queue = `celeriac_nest_test_${id}`;
const ns = `celeriac_nest_${id}`;

@Injectable()
class Pod {
  constructor(readonly name: string) {}
}

@TaskProcessor()
class RabbitProcessor {
  constructor(@Inject(Pod) private readonly pod: Pod) {}

  @Task('nest.rabbit.double')
  double(@Arg(0, ParseIntPipe) n: number): { pod: string; value: number } {
    return { pod: this.pod.name, value: n * 2 };
  }

  @Task('nest.rabbit.slow')
  async slow(ms: number, value: string): Promise<string> {
    await sleep(ms);
    return `${value} by ${this.pod.name}`;
  }
}

const options = (worker: CeleriacModuleOptions['worker']): CeleriacModuleOptions => ({
  broker: AMQP_URL,
  backend: 'rpc://',
  appOptions: { defaultQueue: queue, controlExchange: ns, eventExchange: `${ns}_ev`, logger: quietCoreLogger },
  worker,
});

const opened = new Set<TestingModule>();

async function boot(pod: string, worker: CeleriacModuleOptions['worker']) {
  const ref = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot(options(worker))],
    providers: [RabbitProcessor, { provide: Pod, useValue: new Pod(pod) }],
  }).setLogger(new CapturingLogger()).compile();
  opened.add(ref);
  await ref.init();
  return { ref, app: ref.get<CeleriacApp>(CELERIAC_APP), lifecycle: ref.get(WorkerLifecycleService) };
}

async function close(ref: TestingModule): Promise<void> {
  opened.delete(ref);
  await ref.close();
}

afterAll(async () => {
  for (const ref of opened) await ref.close();
  const admin = createApp({ broker: AMQP_URL, backend: null, logger: quietCoreLogger });
  for (const q of [queue, `${queue}.dlq`]) await admin.broker.deleteQueue(q).catch(() => undefined);
  for (const x of [queue, `${ns}.pidbox`, `reply.${ns}.pidbox`, `${ns}_ev`]) await admin.broker.deleteExchange(x).catch(() => undefined);
  await admin.close();
});

describe('CeleriacModule on RabbitMQ', () => {
  it('an API-only app sends, a worker app runs the @Task method, and the rpc result comes back', async () => {
    const api = await boot('api', false);
    expect(api.lifecycle.worker).toBeNull();
    const worker = await boot('worker', { concurrency: 2 });
    expect(worker.lifecycle.worker!.options.queues).toEqual([queue]);

    const result = await api.app.sendTask('nest.rabbit.double', ['21']);
    expect(await result.get({ timeout: 10_000 })).toEqual({ pod: 'worker', value: 42 });

    // the pipe runs in the worker; its error crosses the broker as a Celery failure
    const invalid = await api.app.sendTask('nest.rabbit.double', ['abc']);
    const err = await invalid.get({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteTaskError);
    expect((err as RemoteTaskError).excType).toBe('BadRequestException');

    await close(worker.ref);
    await close(api.ref);
  });

  it('drains on close: the running task finishes, the one not started goes back to the queue for the next worker', async () => {
    const api = await boot('api', false);
    const first = await boot('first', { concurrency: 1, prefetchMultiplier: 1, shutdownTimeout: 10_000 });
    const started = new Promise<void>((resolve) => first.lifecycle.worker!.events.once('task-started', () => resolve()));
    const slow = await api.app.sendTask<string>('nest.rabbit.slow', [400, 'slow']);
    const queued = await api.app.sendTask<string>('nest.rabbit.slow', [0, 'queued']);
    await started;
    await close(first.ref);
    expect(first.lifecycle.worker!.state).toBe('stopped');
    expect(await slow.get({ timeout: 5000 })).toBe('slow by first');
    expect(await queued.state()).toBe(TaskState.PENDING);

    const second = await boot('second', { concurrency: 1 });
    expect(await queued.get({ timeout: 10_000 })).toBe('queued by second');
    await close(second.ref);
    await close(api.ref);
  });

  it('-P threads: the @Task names run in worker threads from tasksModule; a missing name stops the start', async () => {
    const api = await boot('api', false);
    const pool = { pool: 'threads', concurrency: 2, tasksModule: new URL('./support/pool-tasks.mjs', import.meta.url) } as const;
    const worker = await boot('worker', pool);
    expect(worker.lifecycle.worker!.options.pool).toBe('threads');
    // two blocking 600 ms tasks, each in a thread of its own (threadId 0 would be the worker itself)
    const slow = await Promise.all([api.app.sendTask<string>('nest.rabbit.slow', [600, 'a']), api.app.sendTask<string>('nest.rabbit.slow', [600, 'b'])]);
    const results = await Promise.all(slow.map((r) => r.get({ timeout: 10_000 })));
    expect(results).toEqual([expect.stringMatching(/^a by thread [1-9]\d*$/), expect.stringMatching(/^b by thread [1-9]\d*$/)]);
    const doubled = await api.app.sendTask<{ pod: string; value: number }>('nest.rabbit.double', ['21']);
    expect(await doubled.get({ timeout: 10_000 })).toEqual({ pod: expect.stringMatching(/^thread [1-9]/), value: 42 });
    await close(worker.ref);
    await close(api.ref);

    // a Nest task name the module does not register: the worker refuses to start, naming it
    @TaskProcessor()
    class Extra {
      @Task('nest.rabbit.not_in_module')
      run(): string {
        return 'never';
      }
    }
    const failing = Test.createTestingModule({
      imports: [CeleriacModule.forRoot(options(pool))],
      providers: [RabbitProcessor, Extra, { provide: Pod, useValue: new Pod('x') }],
    }).setLogger(new CapturingLogger()).compile().then(async (ref) => {
      try {
        await ref.init();
      } finally {
        await ref.close();
      }
    });
    await expect(failing).rejects.toThrow(/nest\.rabbit\.not_in_module/);
  });
});
