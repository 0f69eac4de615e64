/**
 * The `async` pool: task functions run on the worker's own event loop (Celery's solo pool, with
 * up to `concurrency` tasks interleaved at their awaits). Fine for I/O-bound tasks; a task that
 * computes blocks everything else, which the loop monitor reports.
 *
 * An exception that task code leaves uncaught (a throw from a timer, a rejected promise nobody
 * awaits) would kill the process; this pool catches them while it runs, finds the task whose
 * async context they came from, and ends that task FAILURE with the error. What Node cannot
 * catch still ends the process: `process.exit()`, `process.abort()`, a native crash, running
 * out of heap. Run such tasks with `-P processes`.
 */
import { toError } from '../../errors/base-error.js';
import { logText } from '../../util/log-text.js';
import type { Logger } from '../../util/logger.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import type { RegisteredTask } from '../../registry/task.js';
import { runTask, type Outcome, type RunEnv } from '../run-task.js';
import { currentParent } from '../task-context.js';
import type { PoolOutcome, PoolStats, TaskPool } from './task-pool.js';

interface Running {
  id: string;
  name: string;
  started: number;
  ended: number | null;
  /** Ends the run early with this failure. */
  fail(error: Error): void;
}

export class AsyncPool implements TaskPool {
  readonly kind = 'async' as const;
  readonly #running = new Map<string, Running>();
  /** The last tasks that ended, for the blocked-loop report (a block is seen only after it ended). */
  readonly #ended: Running[] = [];
  #size: number;
  #listening = false;
  readonly #onUncaught = (err: unknown) => this.#uncaught(toError(err), 'uncaught exception');
  readonly #onUnhandled = (err: unknown) => this.#uncaught(toError(err), 'unhandled rejection');

  constructor(size: number, private readonly logger: Logger, private readonly catchUncaught: boolean) {
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Tasks that ran at some time since `since` (ms since epoch), for the blocked-loop report. */
  ranSince(since: number): { id: string; name: string; started: number }[] {
    return [...this.#running.values(), ...this.#ended].filter((r) => r.ended === null || r.ended >= since);
  }

  start(): Promise<void> {
    if (this.catchUncaught && !this.#listening) {
      process.on('uncaughtException', this.#onUncaught);
      process.on('unhandledRejection', this.#onUnhandled);
      this.#listening = true;
    }
    return Promise.resolve();
  }

  async run(task: RegisteredTask, req: TaskRequest, env: RunEnv): Promise<PoolOutcome> {
    const started = performance.now();
    let fail!: (error: Error) => void;
    const crashed = new Promise<Outcome>((resolve) => {
      fail = (error) => {
        env.abort.abort(error);
        resolve({ kind: 'failure', error, runtime: (performance.now() - started) / 1000 });
      };
    });
    const running: Running = { id: req.id, name: req.name, started: Date.now(), ended: null, fail };
    this.#running.set(req.id, running);
    try {
      return await Promise.race([runTask(task, req, env), crashed]);
    } finally {
      this.#running.delete(req.id);
      running.ended = Date.now();
      this.#ended.push(running);
      if (this.#ended.length > 32) this.#ended.shift();
    }
  }

  terminate(): boolean {
    return false;
  }

  resize(size: number): void {
    this.#size = Math.max(1, Math.floor(size));
  }

  stats(): PoolStats {
    return { implementation: 'async', size: this.#size, busy: this.#running.size, processes: [process.pid], started: 1, recycled: 0, lost: 0, killed: 0 };
  }

  close(): Promise<void> {
    if (this.#listening) {
      process.off('uncaughtException', this.#onUncaught);
      process.off('unhandledRejection', this.#onUnhandled);
      this.#listening = false;
    }
    return Promise.resolve();
  }

  /** The async context of the throw tells which task it came from. */
  #uncaught(error: Error, what: string): void {
    const id = currentParent()?.id;
    const running = id === undefined ? undefined : this.#running.get(id);
    if (running) {
      this.logger.error(`task ${logText(running.name)}[${logText(id!)}]: ${what}: ${logText(`${error.name}: ${error.message}`, 500)}; the task fails, the worker goes on`);
      running.fail(error);
      return;
    }
    const where = id === undefined ? 'outside any task' : `from task ${logText(id)} after it ended`;
    this.logger.error(`${what} ${where}: ${logText(`${error.name}: ${error.message}`, 500)}`, error.stack ? { traceback: error.stack } : undefined);
  }
}
