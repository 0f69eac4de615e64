/** Builds the pool a worker's options ask for, and finds the child entry file (`pool-child.js`). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../../errors/task-errors.js';
import type { Logger } from '../../util/logger.js';
import type { ResolvedWorkerOptions } from '../worker-options.js';
import { AsyncPool } from './async-pool.js';
import { ChildPool } from './child-pool.js';
import type { TaskPool } from './task-pool.js';

/**
 * `pool-child.js` sits beside the bundle that runs this code (`dist/`); when this code runs from
 * its TypeScript sources (the package's own tests), it is the built one in `dist/`.
 */
export function poolChildEntry(): string {
  for (const url of [new URL('./pool-child.js', import.meta.url), new URL('../../../dist/pool-child.js', import.meta.url)]) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new ConfigurationError('pool-child.js not found beside @celeriac/core (build the package first)');
}

export function createPool(o: ResolvedWorkerOptions, tasks: () => readonly string[], logger: Logger): TaskPool {
  if (o.pool === 'async') return new AsyncPool(o.concurrency, logger, o.catchUncaught);
  return new ChildPool({
    kind: o.pool,
    size: o.concurrency,
    entry: poolChildEntry(),
    module: o.tasksModule!,
    exportName: o.appExport,
    maxTasksPerChild: o.maxTasksPerChild,
    maxMemoryPerChild: o.maxMemoryPerChild,
    tasks,
    logger,
  });
}
