/**
 * The task routes, in Flower's style: send (`async-apply`, `send-task`), read a result, read
 * what is known about a task, revoke, and retry (the dashboard's: send a failed task again
 * with its original arguments).
 */
import { TaskState, isReady, pythonRepr, type ResultMeta } from '@celeriac/core';
import type { Request, Response } from 'express';
import { isValidTaskName } from './allow-list.js';
import { HttpError, HttpErrorCode, badRequest } from './errors.js';
import { parseSendRequest, toApplyOptions, type HttpSendOptions } from './parse-send-request.js';
import { queryNumber, taskIdParam, withTimeout } from './request-params.js';
import type { RouterContext } from './router-context.js';
import { blankTask, type OriginalCall, type TrackedTask } from './task-monitor.js';

type Handler = (req: Request, res: Response) => Promise<void>;

/**
 * `POST /api/task/async-apply/:name` (`requireKnown`: the task must be registered on the app or
 * named literally on the allow-list) and `POST /api/task/send-task/:name` (allow-list only).
 * Answers 202 `{"task-id", "state"}` with a Location for the result.
 */
export function sendTaskRoute(ctx: RouterContext, requireKnown: boolean): Handler {
  return async (req, res) => {
    const name = req.params.name;
    if (typeof name !== 'string' || !isValidTaskName(name)) throw badRequest('invalid task name');
    if (!ctx.allow.allows(name)) throw new HttpError(403, HttpErrorCode.TASK_NOT_ALLOWED, `task ${JSON.stringify(name)} may not be sent over HTTP`);
    if (requireKnown && !ctx.app.tasks.has(name) && !ctx.allow.listsLiterally(name)) {
      throw new HttpError(404, HttpErrorCode.UNKNOWN_TASK, `unknown task ${JSON.stringify(name)}`);
    }
    const parsed = parseSendRequest(req.body, { queues: ctx.sendQueues });
    await send(ctx, req, res, { name, args: parsed.args, kwargs: parsed.kwargs, options: parsed.options }, null);
  };
}

/** `GET /api/task/result/:id[?timeout=seconds]`: `{"task-id", "state"}`, plus `result` (and `traceback`) once ready. */
export function resultRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const id = taskIdParam(req);
    const timeout = queryNumber(req, 'timeout', 0, ctx.maxResultWait, 0);
    let meta = await readMeta(ctx, id, true);
    if (timeout > 0 && (meta === null || !isReady(meta.status))) {
      meta = await ctx.app.backend.wait(id, { timeoutMs: timeout * 1000 }).catch(() => meta);
    }
    const state = meta?.status ?? TaskState.PENDING;
    const body: Record<string, unknown> = { 'task-id': id, state };
    if (meta && isReady(state)) {
      body.result = state === TaskState.SUCCESS ? meta.result : exceptionRepr(meta.result);
      if (state === TaskState.FAILURE) body.traceback = meta.traceback;
    }
    res.json(body);
  };
}

/**
 * `GET /api/task/info/:id`: the monitor's record (Flower's fields) merged with the stored
 * result; `backend` holds the result document (`status`, `result` as JSON, `traceback`).
 */
export function infoRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const id = taskIdParam(req);
    const task = ctx.monitor.get(id) ?? (await ctx.history.get(id)) ?? undefined;
    const meta = await readMeta(ctx, id, false);
    if (!task && !meta) throw new HttpError(404, HttpErrorCode.TASK_NOT_FOUND, `unknown task id ${JSON.stringify(id)}`);
    const base: TrackedTask = task ?? blankTask(id);
    const state = meta && isReady(meta.status) && !isReady(base.state) ? meta.status : task?.state ?? meta!.status;
    const backend = meta ? { status: meta.status, result: meta.result, traceback: meta.traceback, date_done: meta.date_done } : null;
    res.json({ ...base, state, traceback: base.traceback ?? meta?.traceback ?? null, backend });
  };
}

/** `POST /api/task/revoke/:id` with an optional body `{"terminate": bool, "signal": "SIGTERM"}`. */
export function revokeRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const id = taskIdParam(req);
    const body = (req.body ?? {}) as unknown;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
    const { terminate, signal, ...rest } = body as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw badRequest(`unknown keys in the request body: ${Object.keys(rest).map((k) => JSON.stringify(k)).join(', ')} (allowed: terminate, signal)`);
    if (terminate !== undefined && typeof terminate !== 'boolean') throw badRequest('"terminate" must be a boolean');
    if (signal !== undefined && (typeof signal !== 'string' || !/^SIG[A-Z0-9]{1,10}$/.test(signal))) throw badRequest('"signal" must be a signal name such as "SIGTERM"');
    await ctx.app.control.revoke(id, { terminate: terminate ?? false, ...(signal !== undefined ? { signal } : {}) });
    res.json({ message: `Revoked '${id}'` });
  };
}

/**
 * `POST /api/task/retry/:id`: sends a FAILURE or REVOKED task again with its original name,
 * arguments, queue and priority (not its countdown, eta or expiry). 202 with the new id.
 */
export function retryRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const id = taskIdParam(req);
    const task = ctx.monitor.get(id);
    if (!task) throw new HttpError(404, HttpErrorCode.TASK_NOT_FOUND, `unknown task id ${JSON.stringify(id)}`);
    if (task.state !== TaskState.FAILURE && task.state !== TaskState.REVOKED) {
      throw new HttpError(409, HttpErrorCode.NOT_RETRYABLE, `only FAILURE or REVOKED tasks can be retried; this one is ${task.state}`);
    }
    const original = ctx.monitor.original(id);
    if (!original) {
      throw new HttpError(409, HttpErrorCode.NOT_RETRYABLE,
        'the original arguments of this task are unknown (events carry only their Python repr); only tasks sent through this router or received by its worker can be retried');
    }
    if (!ctx.allow.allows(original.name)) throw new HttpError(403, HttpErrorCode.TASK_NOT_ALLOWED, `task ${JSON.stringify(original.name)} may not be sent over HTTP`);
    const options: HttpSendOptions = {};
    if (original.options.queue !== undefined && ctx.sendQueues.allows(original.options.queue)) options.queue = original.options.queue;
    if (original.options.priority !== undefined) options.priority = original.options.priority;
    await send(ctx, req, res, { ...original, options }, id);
  };
}

async function send(ctx: RouterContext, req: Request, res: Response, call: OriginalCall, retryOf: string | null): Promise<void> {
  const sentAt = Date.now() / 1000;
  const result = await ctx.app.sendTask(call.name, call.args, call.kwargs, toApplyOptions(call.options));
  ctx.monitor.recordSent(result.id, call, { retryOf, sentAt });
  const body: Record<string, unknown> = { 'task-id': result.id, state: TaskState.PENDING };
  if (retryOf !== null) body['retry-of'] = retryOf;
  res.status(202).location(`${req.baseUrl}/api/task/result/${encodeURIComponent(result.id)}`).json(body);
}

/** The stored result document; a backend that fails or hangs is a 503 (`strict`) or "nothing known". */
async function readMeta(ctx: RouterContext, id: string, strict: boolean): Promise<ResultMeta | null> {
  const timedOut = Symbol('timeout');
  try {
    const meta = await withTimeout(ctx.app.asyncResult(id).info(), ctx.ioTimeout, timedOut);
    if (meta !== timedOut) return meta;
  } catch (err) {
    if (strict) throw new HttpError(503, HttpErrorCode.BACKEND_UNAVAILABLE, 'the result backend failed', { cause: err });
    return null;
  }
  if (strict) throw new HttpError(503, HttpErrorCode.BACKEND_UNAVAILABLE, 'the result backend did not answer in time');
  return null;
}

/** `ValueError('boom')` for Celery's `{exc_type, exc_message}`, as Flower shows failures. */
export function exceptionRepr(result: unknown): string {
  if (result !== null && typeof result === 'object' && typeof (result as { exc_type?: unknown }).exc_type === 'string') {
    const r = result as { exc_type: string; exc_message?: unknown };
    const args = Array.isArray(r.exc_message) ? r.exc_message : r.exc_message === undefined ? [] : [r.exc_message];
    return `${r.exc_type}(${args.map((a) => pythonRepr(a)).join(', ')})`;
  }
  return pythonRepr(result);
}
