import { Logger, ParseIntPipe } from '@nestjs/common';
import { TaskState, type TaskContext, type TaskRequest } from '@celeriac/core';
import { Arg, OnWorkerEvent, Task, TaskCtx, TaskProcessor } from '@celeriac/nestjs';
import { Calculator } from './calculator.service.js';

/** The tasks of this app. Each @Task method is one Celery task, with Nest's DI, pipes and filters. */
@TaskProcessor()
export class MathProcessor {
  readonly #logger = new Logger(MathProcessor.name);

  // injected by type: the build must emit decorator metadata (tsup runs swc)
  constructor(private readonly calculator: Calculator) {}

  /** `ParseIntPipe` validates the payload: a Python caller sending `'2'` works, `'two'` fails the task. */
  @Task('math.add')
  add(@Arg(0, ParseIntPipe) x: number, @Arg(1, ParseIntPipe) y: number): number {
    return this.calculator.add(x, y);
  }

  /** A slow task with progress (`PROGRESS` state), to watch a graceful shutdown drain it. */
  @Task('math.slow-sum', { trackStarted: true })
  async slowSum(@Arg(0) numbers: number[], @TaskCtx() ctx: TaskContext): Promise<number> {
    let total = 0;
    for (const [i, n] of numbers.entries()) {
      await sleep(500, ctx.signal);
      total = this.calculator.add(total, n);
      await ctx.updateState('PROGRESS', { done: i + 1, of: numbers.length });
    }
    this.#logger.log(`math.slow-sum[${ctx.id}] finished: ${total}`);
    return total;
  }

  @OnWorkerEvent('task-failed')
  onFailed(request: TaskRequest | null, error: Error): void {
    this.#logger.warn(`${request?.name ?? 'unknown task'}[${request?.id ?? '?'}] failed: ${error.message}`);
  }

  @OnWorkerEvent('task-succeeded')
  onSucceeded(request: TaskRequest, _result: unknown, runtimeSeconds: number): void {
    this.#logger.debug(`${request.name}[${request.id}] ${TaskState.SUCCESS} in ${runtimeSeconds.toFixed(3)}s`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
