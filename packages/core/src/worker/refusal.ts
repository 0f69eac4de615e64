/**
 * A message the worker refuses (undecodable, not a task message, a content type it does not
 * accept, or `Reject` raised by the task) goes to the dead-letter queue; when its task id is
 * known, a FAILURE is stored too, so the caller gets a clear error instead of waiting until its
 * timeout. The exception names are ones Python rebuilds as real classes.
 */
import { toError } from '../errors/base-error.js';
import { Reject } from '../errors/task-control.js';
import { InvalidTaskMessageError } from '../errors/task-errors.js';
import { ContentDisallowedError, DecodeError } from '../errors/serialization-errors.js';
import { buildResultMeta, type ExcInfo } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { finishFailure, type FinishContext } from './finish-task.js';

export interface Refused {
  /** The parsed request, when the message got that far (a task that raised `Reject`). */
  req?: TaskRequest;
  id: string | null;
  replyTo: string | null;
  correlationId: string | null;
}

/** Python's name for why a message was refused. */
export function refusalExcInfo(err: Error, deadLetterQueue: string): ExcInfo {
  const why = `${err.message} (message moved to ${deadLetterQueue})`;
  if (err instanceof ContentDisallowedError) return { exc_type: 'ContentDisallowed', exc_message: [why], exc_module: 'kombu.exceptions' };
  if (err instanceof DecodeError) return { exc_type: 'DecodeError', exc_message: [why], exc_module: 'kombu.exceptions' };
  if (err instanceof InvalidTaskMessageError) return { exc_type: 'InvalidTaskError', exc_message: [why], exc_module: 'celery.exceptions' };
  if (err instanceof Reject) return { exc_type: 'Reject', exc_message: [why], exc_module: 'celery.exceptions' };
  return { exc_type: 'MessageRefused', exc_message: [why], exc_module: 'celeriac' };
}

export async function storeRefusal(f: FinishContext, refused: Refused, error: unknown, deadLetterQueue: string): Promise<void> {
  if (!refused.id) return;
  const excInfo = refusalExcInfo(toError(error), deadLetterQueue);
  if (refused.req) {
    // the whole request is known: its chain, chord and errbacks learn of the failure too
    const e = Object.assign(new Error(String(excInfo.exc_message[0])), { excType: excInfo.exc_type, excModule: excInfo.exc_module });
    await finishFailure(f, refused.req, e);
    return;
  }
  await f.backend.store(
    buildResultMeta({ taskId: refused.id, status: TaskState.FAILURE, result: excInfo, traceback: null }),
    { replyTo: refused.replyTo, correlationId: refused.correlationId ?? refused.id },
  );
}
