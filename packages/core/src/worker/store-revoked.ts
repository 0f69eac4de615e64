/**
 * Stores REVOKED for each revoked id the moment the revoke arrives, as Celery 5.6.2 does
 * (celery/celery#9869), so a caller waiting on a task that has not reached any worker yet
 * learns at once. The Redis backend never overwrites a stored SUCCESS; with `rpc://` only a
 * task this worker holds can be answered (its caller's reply queue is in the request).
 */
import type { ResultBackend, StoreTarget } from '../backends/result-backend.js';
import { toError } from '../errors/base-error.js';
import { buildResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import { logText } from '../util/log-text.js';
import type { Logger } from '../util/logger.js';

export async function storeRevoked(
  backend: ResultBackend,
  logger: Logger,
  ids: readonly string[],
  targetOf: (id: string) => StoreTarget,
): Promise<void> {
  for (const id of ids) {
    const meta = buildResultMeta({
      taskId: id, status: TaskState.REVOKED, traceback: null,
      result: { exc_type: 'TaskRevokedError', exc_message: ['revoked'], exc_module: 'celery.exceptions' },
    });
    try {
      await backend.store(meta, targetOf(id));
    } catch (err) {
      logger.warn(`could not store REVOKED for task ${logText(id)}: ${logText(toError(err).message, 500)}`);
    }
  }
}
