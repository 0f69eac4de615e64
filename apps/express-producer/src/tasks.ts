/**
 * The sample's tasks. In a real deployment they run in worker processes (Node or Python);
 * here an in-process worker runs them when no RabbitMQ is configured.
 */
import type { CeleriacApp, Task } from '@celeriac/core';

export interface Report {
  userId: string;
  pages: number;
  builtAt: string;
}

export interface SampleTasks {
  add: Task<[number, number], number>;
  buildReport: Task<[string], Report>;
}

/** Registers `tasks.add` and `reports.build` on the app. */
export function registerTasks(app: CeleriacApp, options: { reportDelayMs?: number } = {}): SampleTasks {
  const delay = options.reportDelayMs ?? 500;
  return {
    add: app.task('tasks.add', (x: number, y: number) => x + y),
    buildReport: app.task('reports.build', async (userId: string): Promise<Report> => {
      await new Promise((resolve) => setTimeout(resolve, delay)); // pretend to work
      return { userId, pages: 3 + (userId.length % 5), builtAt: new Date().toISOString() };
    }),
  };
}
