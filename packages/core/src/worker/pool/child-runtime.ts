/**
 * The task runner inside a pool child (a worker thread or a child process). It runs in the
 * copy of `@celeriac/core` the tasks module imported (reached through the app, see
 * `pool-child.ts`), so `currentTask()`, `Retry`, `Reject` and `Ignore` in task code are the
 * same objects this runner checks for. One task at a time: run it with the request and limits
 * the worker sent, forward `this.updateState()` and `this.replace()` to the worker (which owns
 * the result backend and the broker connection), and post the outcome back.
 */
import type { Applied } from '../../canvas/freeze.js';
import type { TaskLookup } from '../worker-context.js';
import { Ignore } from '../../errors/task-control.js';
import { EncodeError } from '../../errors/serialization-errors.js';
import { NotRegisteredError } from '../../errors/task-errors.js';
import { toDict } from '../../producer/option-names.js';
import { withLazyReprs } from '../../protocol/parse-task-message.js';
import { runTask } from '../run-task.js';
import { fromWireError, toWireError, toWireOutcome, type ChildCall, type FromChild, type PoolJob, type ToChild } from './pool-wire.js';

/** How a child talks to the worker: `parentPort` in a thread, the IPC channel in a process. */
export interface ChildPort {
  post(msg: FromChild): void;
  onMessage(fn: (msg: ToChild) => void): void;
  exit(code: number): never;
}

export function servePoolChild(app: TaskLookup, port: ChildPort, kind: 'threads' | 'processes'): void {
  const calls = new Map<number, { resolve(): void; reject(err: Error): void }>();
  let nextCall = 0;
  let current: number | null = null;

  // a throw from a timer or an unhandled rejection: the running task fails with it, then this
  // child leaves (its state may be broken) and the pool starts another
  const fatal = (err: unknown) => {
    try {
      port.post({ type: 'uncaught', jobId: current, error: toWireError(err) });
    } finally {
      port.exit(1);
    }
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);

  const call = (jobId: number, c: ChildCall) => new Promise<void>((resolve, reject) => {
    const callId = ++nextCall;
    calls.set(callId, { resolve, reject });
    port.post({ type: 'call', callId, jobId, call: c });
  });

  const memoryKiB = () => {
    const m = process.memoryUsage();
    // a thread has no memory of its own but its V8 heap; a process is measured as Celery does (RSS)
    return Math.round((kind === 'processes' ? m.rss : m.heapUsed + m.external) / 1024);
  };

  async function run(job: PoolJob): Promise<void> {
    current = job.jobId;
    const started = performance.now();
    const req = withLazyReprs(job.req as unknown as Parameters<typeof withLazyReprs>[0]);
    const task = app.tasks.get(req.name);
    const children: Applied[] = [];
    const outcome = task
      ? await runTask(task, req, {
        hostname: job.hostname,
        deliveryInfo: job.deliveryInfo,
        abort: new AbortController(),
        children,
        limits: { hard: null, soft: job.softTimeLimit },
        updateState: (state, meta) => call(job.jobId, { method: 'updateState', state, meta }),
        replace: async (sig) => {
          await call(job.jobId, { method: 'replace', sig: toDict(sig) });
          throw new Ignore('Replaced by new task');
        },
      })
      : { kind: 'failure' as const, error: new NotRegisteredError(req.name), runtime: 0 };
    current = null;
    const memory = memoryKiB();
    try {
      port.post({ type: 'done', jobId: job.jobId, outcome: toWireOutcome(outcome), children, memoryKiB: memory });
    } catch (err) {
      // the structured clone algorithm refused the result (a function, a symbol, a class with private state...)
      const error = new EncodeError(`the result of ${req.name} cannot leave its ${kind === 'threads' ? 'thread' : 'process'}: ${(err as Error).message}`);
      const runtime = (performance.now() - started) / 1000;
      port.post({ type: 'done', jobId: job.jobId, outcome: { kind: 'unencodable', error: toWireError(error), runtime }, children, memoryKiB: memory });
    }
  }

  port.onMessage((msg) => {
    switch (msg.type) {
      case 'run':
        void run(msg.job).catch(fatal);
        return;
      case 'reply': {
        const pending = calls.get(msg.callId);
        calls.delete(msg.callId);
        if (msg.error) pending?.reject(fromWireError(msg.error));
        else pending?.resolve();
        return;
      }
      case 'exit':
        port.exit(0);
        return;
      case 'init':
        return;
    }
  });
  port.post({ type: 'ready', tasks: [...app.tasks.keys()] });
}
