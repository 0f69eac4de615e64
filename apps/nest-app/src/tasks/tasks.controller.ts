import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ResultTimeoutError, type CeleriacApp } from '@celeriac/core';
import { InjectCeleriac } from '@celeriac/nestjs';
import { MATH_TASKS, type MathTasks } from './math.tasks.js';

/** Enqueues tasks and reads their results; it never runs a task itself. */
@Controller('tasks')
export class TasksController {
  constructor(
    @InjectCeleriac() private readonly celeriac: CeleriacApp,
    @Inject(MATH_TASKS) private readonly tasks: MathTasks,
  ) {}

  @Post('add')
  @HttpCode(202)
  async add(@Body() body: { x?: unknown; y?: unknown }): Promise<{ id: string }> {
    const { x, y } = body;
    if (typeof x !== 'number' || typeof y !== 'number') throw new BadRequestException('x and y must be numbers');
    const result = await this.tasks.add.delay(x, y);
    return { id: result.id };
  }

  @Post('slow-sum')
  @HttpCode(202)
  async slowSum(@Body() body: { numbers?: unknown }): Promise<{ id: string }> {
    const { numbers } = body;
    if (!Array.isArray(numbers) || !numbers.every((n) => typeof n === 'number')) throw new BadRequestException('numbers must be an array of numbers');
    const result = await this.tasks.slowSum.delay(numbers as number[]);
    return { id: result.id };
  }

  /** Sends any task by name, as Celery's `send_task` (for example one a Python worker runs). */
  @Post('send/:name')
  @HttpCode(202)
  async send(@Param('name') name: string, @Body() body: { args?: unknown[]; kwargs?: Record<string, unknown> }): Promise<{ id: string }> {
    const result = await this.celeriac.sendTask(name, body.args ?? [], body.kwargs ?? {});
    return { id: result.id };
  }

  /** The task's state and result; with `?wait=ms`, waits up to that long for it to finish. */
  @Get(':id')
  async result(@Param('id') id: string, @Query('wait', new ParseIntPipe({ optional: true })) wait?: number) {
    const handle = this.celeriac.asyncResult(id);
    if (wait !== undefined) {
      await handle.get({ timeout: Math.min(wait, 30_000), propagate: false }).catch((err: unknown) => {
        if (!(err instanceof ResultTimeoutError)) throw err;
      });
    }
    const meta = await handle.info();
    return { id, state: meta?.status ?? 'PENDING', result: meta?.result ?? null };
  }
}
