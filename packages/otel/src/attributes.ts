/**
 * Span names and attributes as `opentelemetry-instrumentation-celery` writes them, so Python
 * and Node spans of one trace read alike in any tracing UI.
 */
export const ATTR = {
  /** `apply_async` or `run`. */
  ACTION: 'celery.action',
  TASK_NAME: 'celery.task_name',
  MESSAGE_ID: 'messaging.message.id',
  CONVERSATION_ID: 'messaging.conversation_id',
  DESTINATION: 'messaging.destination',
  HOSTNAME: 'celery.hostname',
  EXCHANGE: 'celery.exchange',
  RETRIES: 'celery.retries',
  ETA: 'celery.eta',
  EXPIRES: 'celery.expires',
  STATE: 'celery.state',
  RETRY_REASON: 'celery.retry.reason',
  REVOKED_REASON: 'celery.revoked.reason',
} as const;

export const ACTION_APPLY_ASYNC = 'apply_async';
export const ACTION_RUN = 'run';

/** The Celery state a run ended in, by Celeriac's outcome status. */
export const STATE_OF: Readonly<Record<string, string>> = {
  success: 'SUCCESS', failure: 'FAILURE', retry: 'RETRY', revoked: 'REVOKED', rejected: 'REJECTED', ignored: 'IGNORED', requeued: 'REQUEUED',
};
