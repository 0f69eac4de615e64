/**
 * The worker's per-task log lines, worded as Celery's (`celery/app/trace.py`), so log
 * searches and alerts written for Celery workers keep working:
 *
 *   Task tasks.add[<id>] received
 *   Task tasks.add[<id>] succeeded in 0.0021s: 5
 *   Task tasks.add[<id>] retry: Retry in 5s
 *   Task tasks.add[<id>] raised unexpected: ValueError('boom')
 *
 * received, succeeded and retry are info; failures are error. Names, ids and reprs come from
 * messages, so they are escaped (`logText`): a task name cannot forge a log line. Lines below
 * the logger's level are not even built.
 */
import { resultRepr } from '../protocol/python-repr.js';
import { displayName, type TaskRequest } from '../protocol/task-message.js';
import { logsAt, type Logger } from '../util/logger.js';
import { logText } from '../util/log-text.js';

/** Celery's `resultrepr_maxsize`. */
const RESULT_REPR_MAX = 1024;

export class TaskLog {
  constructor(private readonly logger: Logger) {}

  received(req: TaskRequest): void {
    if (!logsAt(this.logger, 'info')) return;
    this.logger.info(`Task ${label(req)} received`);
  }

  succeeded(req: TaskRequest, value: unknown, runtimeSeconds: number): void {
    if (!logsAt(this.logger, 'info')) return;
    // Celery's saferepr: a 50 MB result costs a 1 KB slice here, not a 50 MB repr
    this.logger.info(`Task ${label(req)} succeeded in ${String(runtimeSeconds)}s: ${logText(resultRepr(value, RESULT_REPR_MAX), RESULT_REPR_MAX + 64)}`);
  }

  retry(req: TaskRequest, reason: Error): void {
    if (!logsAt(this.logger, 'info')) return;
    this.logger.info(`Task ${label(req)} retry: ${logText(reason.message)}`);
  }

  failed(req: TaskRequest, error: Error): void {
    const fields = error.stack ? { traceback: error.stack } : undefined;
    this.logger.error(`Task ${label(req)} raised unexpected: ${logText(exceptionRepr(error))}`, fields);
  }
}

function label(req: TaskRequest): string {
  return `${logText(displayName(req), 200)}[${logText(req.id, 200)}]`;
}

/** `ValueError('boom')`, as Celery writes an exception (with the Python type a Node error maps to when set). */
function exceptionRepr(error: Error): string {
  const e = error as Error & { excType?: unknown; args?: unknown };
  const type = typeof e.excType === 'string' ? e.excType : error.name;
  const args = Array.isArray(e.args) ? e.args : [error.message];
  return `${type}(${args.map((a) => resultRepr(a, RESULT_REPR_MAX)).join(', ')})`;
}
