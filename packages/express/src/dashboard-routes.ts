/**
 * The dashboard's own routes (beside Flower's): searching and paging the task history,
 * per-state counts and the throughput/runtime series, a task's workflow graph, worker actions,
 * queue rates, and the dead-letter browser. Writes go through the same write guard as the
 * task routes (read-only mode, cross-site checks, JSON bodies).
 */
import type { Request, Response } from 'express';
import { actOnDeadLetter, peekDeadLetters } from './dead-letters.js';
import { HttpError, HttpErrorCode, badRequest } from './errors.js';
import type { HistoryQuery } from './history/task-history.js';
import { queueDepths } from './monitoring-routes.js';
import { queryNumber, queryString, taskIdParam } from './request-params.js';
import type { RouterContext } from './router-context.js';
import type { TrackedTask } from './task-monitor.js';

type Handler = (req: Request, res: Response) => Promise<void> | void;

/** `GET /api/tasks/search?state=&name=&worker=&id=&text=&from=&to=&limit=&cursor=`: a page of the history, newest first. */
export function searchRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const q: HistoryQuery = { limit: queryNumber(req, 'limit', 1, 500, 50) };
    const state = queryString(req, 'state', 32);
    if (state) q.state = state;
    for (const [param, key] of [['name', 'name'], ['worker', 'worker'], ['id', 'id'], ['text', 'text'], ['root', 'rootId']] as const) {
      const v = queryString(req, param);
      if (v) q[key] = v;
    }
    const from = queryNumber(req, 'from', 0, 1e11, -1);
    const to = queryNumber(req, 'to', 0, 1e11, -1);
    if (from >= 0) q.from = from;
    if (to >= 0) q.to = to;
    const cursor = queryString(req, 'cursor', 32);
    if (cursor !== undefined && cursor !== '') {
      if (!/^\d{1,20}$/.test(cursor)) throw badRequest('invalid cursor');
      q.cursor = cursor;
    }
    res.json(await ctx.history.query(q));
  };
}

/** `GET /api/stats?points=`: per-state counts of the history and the throughput/runtime series. */
export function statsRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const series = ctx.monitor.metrics.series;
    res.json({
      counts: await ctx.history.counts(),
      step: series.stepSeconds,
      points: series.points(queryNumber(req, 'points', 1, series.steps, 90)),
    });
  };
}

/** `GET /api/task/graph/:id`: every known task of the task's workflow (same root), for the canvas graph. */
export function graphRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const id = taskIdParam(req);
    const task = ctx.monitor.get(id) ?? (await ctx.history.get(id));
    if (!task) throw new HttpError(404, HttpErrorCode.TASK_NOT_FOUND, `unknown task id ${JSON.stringify(id)}`);
    const rootId = task.root_id ?? task.uuid;
    const page = await ctx.history.query({ rootId, limit: 200 });
    const nodes = new Map<string, TrackedTask>(page.tasks.map((t) => [t.uuid, t]));
    nodes.set(task.uuid, task);
    res.json({
      root: rootId,
      truncated: page.next !== null,
      nodes: [...nodes.values()].map((t) => ({ id: t.uuid, name: t.name, state: t.state, parent: t.parent_id, retry_of: t.retry_of })),
    });
  };
}

/** Remote-control actions the worker page offers, with the arguments each takes from the body. */
const WORKER_ACTIONS: Readonly<Record<string, (body: Record<string, unknown>) => Record<string, unknown>>> = {
  shutdown: () => ({}),
  pool_grow: (b) => ({ n: positiveInt(b.n) }),
  pool_shrink: (b) => ({ n: positiveInt(b.n) }),
  rate_limit: (b) => ({ task_name: text(b.task, 'task'), rate_limit: rate(b.rate) }),
  add_consumer: (b) => ({ queue: text(b.queue, 'queue') }),
  cancel_consumer: (b) => ({ queue: text(b.queue, 'queue') }),
};

/** `POST /api/worker/:name/:action` (shutdown, pool_grow, pool_shrink, rate_limit, add_consumer, cancel_consumer). */
export function workerActionRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const name = String(req.params.name ?? '');
    if (!/^[\w@.:-]{1,255}$/.test(name)) throw badRequest('invalid worker name');
    const action = String(req.params.action ?? '');
    const args = WORKER_ACTIONS[action];
    if (!args) throw badRequest(`unknown action ${JSON.stringify(action)} (one of: ${Object.keys(WORKER_ACTIONS).join(', ')})`);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
    if ((action === 'add_consumer' || action === 'cancel_consumer') && !ctx.queues.includes(String(body.queue)) && !ctx.sendQueues.allows(String(body.queue))) {
      throw new HttpError(403, HttpErrorCode.QUEUE_NOT_ALLOWED, `queue ${JSON.stringify(body.queue)} is not one this router knows`);
    }
    const reply = action !== 'shutdown';
    const replies = await ctx.app.control.broadcast(action, args(body), { destination: [name], reply, timeout: ctx.inspectTimeout });
    const answer = Object.assign({}, ...replies) as Record<string, unknown>;
    if (reply && !(name in answer)) throw new HttpError(504, HttpErrorCode.BROKER_UNAVAILABLE, `worker ${name} did not answer`);
    res.json({ worker: name, action, reply: answer[name] ?? null });
  };
}

/** `GET /api/queues/stats`: depth, consumers and rate (messages per second, + growing) of each queue, and its dead-letter depth. */
export function queueStatsRoute(ctx: RouterContext): Handler {
  return async (_req, res) => {
    const [queues, dlqs] = await Promise.all([queueDepths(ctx, ctx.queues), queueDepths(ctx, ctx.queues.map((q) => ctx.app.topology.deadLetterQueueName(q)))]);
    const now = Date.now();
    res.json({
      queues: queues.map((q, i) => ({ ...q, rate: ctx.queueRates.sample(q.name, q.messages, now), dead_letters: dlqs[i]!.messages })),
    });
  };
}

/** Which dead-letter queue a request names: `<queue>.dlq` of a queue this router knows, or a 404. */
function dlqParam(ctx: RouterContext, req: Request): { queue: string; dlq: string } {
  const queue = String(req.params.queue ?? '');
  if (!ctx.queues.includes(queue)) throw new HttpError(404, HttpErrorCode.NOT_FOUND, `no known queue ${JSON.stringify(queue)}`);
  return { queue, dlq: ctx.app.topology.deadLetterQueueName(queue) };
}

/** `GET /api/dead-letters/:queue?limit=`: the first messages of `<queue>.dlq`, left in place. */
export function deadLettersRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const { queue, dlq } = dlqParam(ctx, req);
    const page = await peekDeadLetters(ctx.app, dlq, queryNumber(req, 'limit', 1, 200, 50));
    res.json({ queue, dead_letter_queue: dlq, ...page });
  };
}

/** `POST /api/dead-letters/:queue/:action` with `{"key": ...}`: requeue (to its queue, confirmed, then removed) or delete one message. */
export function deadLetterActionRoute(ctx: RouterContext): Handler {
  return async (req, res) => {
    const { queue, dlq } = dlqParam(ctx, req);
    const action = req.params.action;
    if (action !== 'requeue' && action !== 'delete') throw badRequest('action must be requeue or delete');
    const key = (req.body as { key?: unknown } | undefined)?.key;
    if (typeof key !== 'string' || !/^[0-9a-f]{24}$/.test(key)) throw badRequest('"key" must be the key of a listed message');
    const out = await actOnDeadLetter(ctx.app, dlq, key, action, (q) => ctx.queues.includes(q));
    if (out.result === 'not-found') throw new HttpError(404, HttpErrorCode.NOT_FOUND, 'that message is no longer in the dead-letter queue');
    if (out.result === 'no-queue') throw new HttpError(409, HttpErrorCode.QUEUE_NOT_ALLOWED, `its queue ${JSON.stringify(out.queue)} is not one this router knows; it stays dead-lettered`);
    ctx.process.deadLetterActions.inc([queue, action]);
    res.json({ queue, action, key, requeued_to: action === 'requeue' ? out.queue : null });
  };
}

function positiveInt(v: unknown): number {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000) throw badRequest('"n" must be a whole number from 1 to 1000');
  return v;
}

function text(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) throw badRequest(`"${name}" must be a non-empty string`);
  return v;
}

function rate(v: unknown): string | number | null {
  if (v === null || v === undefined || v === '' || v === 0 || v === '0') return null;
  if (typeof v === 'number' && v > 0) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?(\/[smh])?$/.test(v)) return v;
  throw badRequest('"rate" must be a rate such as "10/m", a number per second, or empty to remove the limit');
}
