/**
 * What happens after a task ran, in Celery's order: on success, callbacks and the next chain
 * step are sent, then the result is stored (with `children`: what the task sent, its callbacks
 * and next step), then the chord counter moves; on failure, the FAILURE is stored (also for
 * the chain steps that will never run, which still report to their chord), the chord learns of
 * it, and errbacks are sent. On retry, the same message is republished with `retries + 1`.
 */
import type { ResultBackend } from '../backends/result-backend.js';
import { applySignatureDict, type Applied, type CanvasContext } from '../canvas/apply-signature.js';
import { chordParts, listed } from '../canvas/freeze.js';
import { asSignatureDict, type SignatureDict } from '../canvas/signature-dict.js';
import { signatureList } from '../producer/option-names.js';
import type { Producer } from '../producer/producer.js';
import { buildResultMeta, errorToExcInfo, type ExcInfo, type ResultMeta } from '../protocol/result-meta.js';
import { TaskState } from '../protocol/states.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { resultTuple } from '../result/result-tuple.js';
import type { Logger } from '../util/logger.js';
import { logText } from '../util/log-text.js';
import type { RetryRequest } from './run-task.js';

export interface FinishContext {
  backend: ResultBackend;
  producer: Producer;
  canvas: CanvasContext;
  logger: Logger;
  /** Extra fields stored with every result of this request (`result_extended`), if the app wants them. */
  extended?(req: TaskRequest): Record<string, unknown> | undefined;
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

/** A result document for this request, with its group, parent and extended fields. */
export function requestMeta(f: FinishContext, req: TaskRequest, init: { status: TaskState; result: unknown; traceback?: string | null; children?: unknown[] }): ResultMeta {
  const extra = f.extended?.(req);
  return buildResultMeta({ taskId: req.id, groupId: req.group, parentId: req.parentId, ...init, ...(extra ? { extra } : {}) });
}

/** `children` = what the task sent while it ran, then its callbacks and next chain step. */
export async function finishSuccess(f: FinishContext, req: TaskRequest, value: unknown, storeResult: boolean, sent: readonly Applied[] = []): Promise<void> {
  const children: Applied[] = [...sent];
  for (const cb of req.embed.callbacks ?? []) {
    children.push(await applySignatureDict(f.canvas, cb, { args: [value], options: lineage(req) }));
  }
  const chain = req.embed.chain;
  if (chain && chain.length > 0) {
    const next = chain[chain.length - 1]!;
    children.push(await applySignatureDict(f.canvas, next, { args: [value], options: { ...lineage(req), chain: chain.slice(0, -1) } }));
  }
  const chord = inChord(f, req);
  if (!storeResult && !chord) return; // nothing reads the document: don't build it
  const meta = requestMeta(f, req, { status: TaskState.SUCCESS, result: value, children: children.map(resultTuple) });
  if (storeResult) await f.backend.store(meta, target(req));
  if (chord) await chordPart(f, req.embed.chord!, { groupId: req.group!, groupIndex: req.groupIndex, taskId: req.id, meta });
}

export async function finishFailure(f: FinishContext, req: TaskRequest, error: Error, status: TaskState = TaskState.FAILURE): Promise<void> {
  const excInfo = errorToExcInfo(error);
  const traceback = status === TaskState.REVOKED ? null : tracebackOf(error);
  const meta = requestMeta(f, req, { status, result: excInfo, traceback });
  await f.backend.store(meta, target(req));
  // waiters on a chain's result must not hang: the remaining steps fail too, and a step that
  // is a chord member reports the failure to its chord
  for (const step of req.embed.chain ?? []) await failCanvas(f, step, status, excInfo, traceback, req.replyTo);
  if (req.embed.chord && req.group) await chordPart(f, req.embed.chord, { groupId: req.group, groupIndex: req.groupIndex, taskId: req.id, meta });
  for (const eb of req.embed.errbacks ?? []) {
    await applySignatureDict(f.canvas, eb, { args: [req.id], options: lineage(req) }).catch((err: unknown) =>
      f.logger.error(`errback ${logText(eb.task)} for ${logText(req.id)} could not be sent: ${logText((err as Error).message, 500)}`));
  }
}

/**
 * Stores `result` as the outcome of every task of a canvas that will now never run, so that
 * nobody waits for it for ever: each task of a chain, each member of a group, a chord's body,
 * and what was chained after them; a task that is a chord member reports to its chord.
 * Returns the first task reached (its errbacks are the canvas's).
 */
async function failCanvas(f: FinishContext, sig: SignatureDict, status: TaskState, result: ExcInfo, traceback: string | null, fallbackReplyTo: string | null): Promise<SignatureDict | null> {
  let first: SignatureDict | null = null;
  const all = async (sigs: readonly SignatureDict[]) => {
    for (const s of sigs) {
      const reached = await failCanvas(f, s, status, result, traceback, fallbackReplyTo);
      first ??= reached;
    }
  };
  switch (sig.subtask_type) {
    case 'chain':
    case 'group':
      await all(listed(sig));
      break;
    case 'chord':
      first = await failCanvas(f, chordParts(sig).body, status, result, traceback, fallbackReplyTo);
      break;
    default: {
      const id = sig.options.task_id;
      if (typeof id === 'string') {
        const replyTo = typeof sig.options.reply_to === 'string' ? sig.options.reply_to : fallbackReplyTo;
        const meta = buildResultMeta({ taskId: id, status, result, traceback });
        await f.backend.store(meta, { replyTo, correlationId: id });
        const chord = asSignatureDict(sig.options.chord);
        const groupId = sig.options.group_id;
        if (chord && typeof groupId === 'string') {
          const groupIndex = typeof sig.options.group_index === 'number' ? sig.options.group_index : null;
          await chordPart(f, chord, { groupId, groupIndex, taskId: id, meta });
        }
      }
      first = sig;
    }
  }
  await all(signatureList(sig.options.chain));
  return first;
}

export async function finishRetry(f: FinishContext, req: TaskRequest, retry: RetryRequest, queue: string): Promise<void> {
  await f.producer.send({
    name: req.name,
    args: retry.overrides.args ?? req.args,
    kwargs: retry.overrides.kwargs ?? req.kwargs,
    call: {
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
      chain: req.embed.chain,
      chord: req.embed.chord,
      ...(req.embed.callbacks ? { link: req.embed.callbacks } : {}),
      ...(req.embed.errbacks ? { linkError: req.embed.errbacks } : {}),
    },
  });
  const exc = retry.exc ?? retry;
  const meta = requestMeta(f, req, {
    status: TaskState.RETRY, result: errorToExcInfo(exc), traceback: `Retry: ${retry.message}\n${tracebackOf(exc)}`,
    children: [[[req.id, null], null]],
  });
  await f.backend.store(meta, target(req));
}

/** True when this task is a member of a chord header whose counter the backend keeps. */
function inChord(f: FinishContext, req: TaskRequest): boolean {
  return Boolean(req.embed.chord && req.group && f.backend.chordPartDone);
}

async function chordPart(f: FinishContext, body: SignatureDict, part: { groupId: string; groupIndex: number | null; taskId: string; meta: ResultMeta }): Promise<void> {
  if (!f.backend.chordPartDone) return;
  const done = await f.backend.chordPartDone(part);
  if (!done) return;
  const failed = done.members.find((m) => m.status === TaskState.FAILURE || m.status === TaskState.REVOKED);
  if (failed) {
    await failChordBody(f, body, failed.taskId, failed.result);
    return;
  }
  await applySignatureDict(f.canvas, body, { args: [done.members.map((m) => m.result)] });
}

/**
 * A header member failed: the body fails with ChordError (Celery's `chord_error_from_stack`),
 * and so does what was to follow it; the body's errbacks run with the body's id.
 */
async function failChordBody(f: FinishContext, body: SignatureDict, failedId: string, result: unknown): Promise<void> {
  const exc = result as { exc_type?: string; exc_message?: unknown[] } | null;
  const reason = `Dependency ${failedId} raised ${exc?.exc_type ?? 'Exception'}(${(exc?.exc_message ?? []).map((a) => JSON.stringify(a)).join(', ')})`;
  const error: ExcInfo = { exc_type: 'ChordError', exc_message: [reason], exc_module: 'celery.exceptions' };
  const first = await failCanvas(f, body, TaskState.FAILURE, error, null, null);
  const firstId = typeof first?.options.task_id === 'string' ? first.options.task_id : failedId;
  for (const eb of signatureList(first?.options.link_error)) {
    await applySignatureDict(f.canvas, eb, { args: [firstId] });
  }
}
