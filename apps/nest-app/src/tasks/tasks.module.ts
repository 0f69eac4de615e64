import { Module } from '@nestjs/common';
import { Calculator } from './calculator.service.js';
import { MathProcessor } from './math.processor.js';
import { mathTasksProvider } from './math.tasks.js';
import { TasksController } from './tasks.controller.js';

/**
 * The processor is registered in every role: a worker runs its tasks, an API pod needs their
 * options (a task's `queue` decides where it is sent).
 */
@Module({
  providers: [Calculator, MathProcessor, mathTasksProvider],
  controllers: [TasksController],
})
export class TasksModule {}
