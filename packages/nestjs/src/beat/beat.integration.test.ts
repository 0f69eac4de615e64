/** @Periodic() with the real @celeriac/beat, on the memory broker. */
import 'reflect-metadata';
import { Inject, Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { CeleriacModule } from '../celeriac.module.js';
import { Periodic, type PeriodicSchedule } from '../decorators/periodic.decorator.js';
import { TaskProcessor } from '../decorators/task-processor.decorator.js';
import { Task } from '../decorators/task.decorator.js';
import { CapturingLogger, quietCoreLogger, sleep, waitFor } from '../../test/support/nest-testing.js';

/** The part of @celeriac/beat this test uses (imported by name so tsc does not need its build). */
interface BeatApi {
  every(ms: number): PeriodicSchedule;
  MemoryStore: new () => object;
}
const BEAT = '@celeriac/beat';
const beat = (await import(BEAT)) as BeatApi;

@Injectable()
class Ticks {
  readonly runs: string[] = [];
}

@TaskProcessor()
class TickProcessor {
  constructor(@Inject(Ticks) private readonly ticks: Ticks) {}

  @Task('beat.tick')
  @Periodic('tick-every-100ms', { schedule: beat.every(100), args: ['fast'] })
  tick(label: string): void {
    this.ticks.runs.push(label);
  }
}

let moduleRef: TestingModule | undefined;

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
});

describe('@Periodic with @celeriac/beat', () => {
  it('sends the decorated task on its schedule while the app runs, and stops with it', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({
        broker: 'memory://', backend: 'memory://', appOptions: { logger: quietCoreLogger },
        beat: { store: new beat.MemoryStore(), maxIntervalMs: 50 },
      })],
      providers: [Ticks, TickProcessor],
    }).setLogger(new CapturingLogger()).compile();
    await moduleRef.init();
    const ticks = moduleRef.get(Ticks);
    await waitFor(() => ticks.runs.length >= 2, 5000);
    expect(ticks.runs.slice(0, 2)).toEqual(['fast', 'fast']);
    await moduleRef.close();
    moduleRef = undefined;
    const after = ticks.runs.length;
    await sleep(300);
    expect(ticks.runs.length).toBe(after);
  });
});
