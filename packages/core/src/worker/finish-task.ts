/**
 * What happens after a task ran, in Celery's order: on success, callbacks and the next chain
 * step are sent, then the result is stored, then the chord counter moves; on failure, the
 * FAILURE is stored (also for the chain steps that will never run), the chord learns of it,
 * and errbacks are sent. On retry, the same message is republished with `retries + 1`.
 */
import type { ResultBackend } from '../backends/result-backend.js';
import { applySignatureDict, type CanvasContext } from '../canvas/apply-signature.js';
import type { SignatureDict } from '../canvas/signature-dict.js';
import type { Producer } from '../producer/producer.js';
import { buildResultMeta, errorToExcInfo, type ResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { Logger } from '../util/logger.js';
import { logText } from '../util/log-text.js';
import type { RetryRequest } from './run-task.js';

export interface FinishContext {
  backend: ResultBackend;
  producer: Producer;
  canvas: CanvasContext;
  logger: Logger;
}

function target(req: TaskRequest) {
  return { replyTo: req.replyTo, correlationId: req.correlationId };
}

function lineage(req: TaskRequest) {
  return { parentId: req.id, rootId: req.rootId };
}

export function tracebackOf(err: Error): string {
  return err.stack ?? `${err.name}: ${err.message}`;
}

export async function finishSuccess(f: FinishContext, req: TaskRequest, value: unknown, storeResult: boolean): Promise<void> {
  for (const cb of req.embed.callbacks ?? []) {
    await applySignatureDict(f.canvas, cb, { args: [value], options: lineage(req) });
  }
  const chain = req.embed.chain;
  if (chain && chain.length > 0) {
    const next = chain[chain.length - 1]!;
    const rest = chain.slice(0, -1);
    await applySignatureDict(f.canvas, next, { args: [value], options: { ...lineage(req), chain: rest as unknown as Record<string, unknown>[] } });
  }
  const chord = inChord(f, req);
  if (!storeResult && !chord) return; // nothing reads the document: don't build it
  const meta = buildResultMeta({ taskId: req.id, status: TaskState.SUCCESS, result: value, groupId: req.group, parentId: req.parentId });
  if (storeResult) await f.backend.store(meta, target(req));
  if (chord) await chordPart(f, req, meta);
}

export async function finishFailure(f: FinishContext, req: TaskRequest, error: Error, status: TaskState = TaskState.FAILURE): Promise<void> {
  const excInfo = errorToExcInfo(error);
  const traceback = status === TaskState.REVOKED ? null : tracebackOf(error);
  const meta = buildResultMeta({ taskId: req.id, status, result: excInfo, traceback, groupId: req.group, parentId: req.parentId });
  await f.backend.store(meta, target(req));
  // waiters on a chain's result must not hang: the remaining steps fail too
  for (const step of req.embed.chain ?? []) {
    const stepId = step.options.task_id;
    if (typeof stepId !== 'string') continue;
    const replyTo = typeof step.options.reply_to === 'string' ? step.options.reply_to : req.replyTo;
    await f.backend.store(buildResultMeta({ taskId: stepId, status, result: excInfo, traceback }), { replyTo, correlationId: stepId });
  }
  await chordPart(f, req, meta);
  for (const eb of req.embed.errbacks ?? []) {
    await applySignatureDict(f.canvas, eb, { args: [req.id], options: lineage(req) }).catch((err: unknown) =>
      f.logger.error(`errback ${logText(eb.task)} for ${logText(req.id)} could not be sent: ${logText((err as Error).message, 500)}`));
  }
}

export async function finishRetry(f: FinishContext, req: TaskRequest, retry: RetryRequest, queue: string): Promise<void> {
  await f.producer.send(req.name, retry.overrides.args ?? req.args, retry.overrides.kwargs ?? req.kwargs, {
    taskId: req.id,
    retries: req.retries + 1,
    eta: retry.when,
    ...(req.expires ? { expires: req.expires } : {}),
    replyTo: req.replyTo ?? '',
    rootId: req.rootId,
    parentId: req.parentId ?? req.id,
    groupId: req.group,
    groupIndex: req.groupIndex,
    ...(req.shadow ? { shadow: req.shadow } : {}),
    ...(req.timelimit[0] !== null ? { timeLimit: req.timelimit[0] } : {}),
    ...(req.timelimit[1] !== null ? { softTimeLimit: req.timelimit[1] } : {}),
    priority: req.priority,
    queue: retry.overrides.queue ?? queue,
    chain: req.embed.chain as unknown as Record<string, unknown>[] | null,
    chord: req.embed.chord as unknown as Record<string, unknown> | null,
    ...(req.embed.callbacks ? { callbacks: req.embed.callbacks } : {}),
    ...(req.embed.errbacks ? { errbacks: req.embed.errbacks } : {}),
  });
  const exc = retry.exc ?? retry;
  const meta = buildResultMeta({
    taskId: req.id, status: TaskState.RETRY, result: errorToExcInfo(exc), traceback: `Retry: ${retry.message}\n${tracebackOf(exc)}`,
    children: [[[req.id, null], null]],
  });
  await f.backend.store(meta, target(req));
}

/** True when this task is a member of a chord header whose counter the backend keeps. */
function inChord(f: FinishContext, req: TaskRequest): boolean {
  return Boolean(req.embed.chord && req.group && f.backend.chordPartDone);
}

async function chordPart(f: FinishContext, req: TaskRequest, meta: ResultMeta): Promise<void> {
  const body = req.embed.chord;
  if (!body || !req.group || !f.backend.chordPartDone) return;
  const done = await f.backend.chordPartDone({ groupId: req.group, groupIndex: req.groupIndex, taskId: req.id, meta });
  if (!done) return;
  const failed = done.members.find((m) => m.status === TaskState.FAILURE || m.status === TaskState.REVOKED);
  if (failed) {
    await failChordBody(f, body, failed.taskId, failed.result);
    return;
  }
  await applySignatureDict(f.canvas, body, { args: [done.members.map((m) => m.result)] });
}

async function failChordBody(f: FinishContext, body: SignatureDict, failedId: string, result: unknown): Promise<void> {
  const bodyId = typeof body.options.task_id === 'string' ? body.options.task_id : null;
  const exc = result as { exc_type?: string; exc_message?: unknown[] } | null;
  const reason = `Dependency ${failedId} raised ${exc?.exc_type ?? 'Exception'}(${(exc?.exc_message ?? []).map((a) => JSON.stringify(a)).join(', ')})`;
  if (bodyId) {
    const replyTo = typeof body.options.reply_to === 'string' ? body.options.reply_to : null;
    await f.backend.store(buildResultMeta({
      taskId: bodyId, status: TaskState.FAILURE,
      result: { exc_type: 'ChordError', exc_message: [reason], exc_module: 'celery.exceptions' }, traceback: null,
    }), { replyTo, correlationId: bodyId });
  }
  const errbacks = body.options.link_error;
  for (const eb of Array.isArray(errbacks) ? errbacks : errbacks ? [errbacks] : []) {
    await applySignatureDict(f.canvas, eb as SignatureDict, { args: [bodyId ?? failedId] });
  }
}
