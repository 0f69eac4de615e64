/**
 * Result documents as Celery stores them (rpc message body, redis `celery-task-meta-<id>`),
 * and the exception encoding `{exc_type, exc_message, exc_module}`. Pure.
 */
import { RemoteTaskError } from '../errors/result-errors.js';
import { EXCEPTION_STATES, TaskState } from './states.js';

export interface ResultMeta {
  task_id: string;
  status: TaskState;
  result: unknown;
  traceback: string | null;
  children: unknown[];
  date_done: string | null;
  group_id?: string;
  parent_id?: string;
  [extra: string]: unknown;
}

export interface ExcInfo {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string;
}

/** JS error names that have a Python builtin of the same meaning. */
const BUILTIN_NAMES: Record<string, string> = {
  Error: 'Exception',
  TypeError: 'TypeError',
  RangeError: 'ValueError',
  SyntaxError: 'SyntaxError',
  ReferenceError: 'NameError',
  EvalError: 'RuntimeError',
  URIError: 'ValueError',
  AggregateError: 'Exception',
};
const PY_BUILTINS = new Set([
  'Exception', 'ValueError', 'TypeError', 'KeyError', 'IndexError', 'RuntimeError', 'LookupError', 'ArithmeticError',
  'ZeroDivisionError', 'AssertionError', 'AttributeError', 'NotImplementedError', 'OSError', 'IOError', 'TimeoutError',
  'ConnectionError', 'PermissionError', 'FileNotFoundError', 'NameError', 'SyntaxError', 'OverflowError', 'MemoryError',
]);

/**
 * Encodes an error as Celery does. An error may carry its own `excType` / `excModule` /
 * `args` to control what Python sees; otherwise JS builtins map to Python builtins
 * (`TypeError` → `builtins.TypeError`, `Error` → `builtins.Exception`) and any other name
 * keeps its name under module `celeriac` (Python then synthesises a class of that name).
 */
export function errorToExcInfo(err: unknown): ExcInfo {
  if (!(err instanceof Error)) return { exc_type: 'Exception', exc_message: [String(err)], exc_module: 'builtins' };
  const e = err as Error & { excType?: unknown; excModule?: unknown; args?: unknown };
  const args = Array.isArray(e.args) ? e.args : [e.message];
  if (typeof e.excType === 'string') {
    return { exc_type: e.excType, exc_message: args, exc_module: typeof e.excModule === 'string' ? e.excModule : 'builtins' };
  }
  const name = e.name || 'Error';
  if (PY_BUILTINS.has(name)) return { exc_type: name, exc_message: args, exc_module: 'builtins' };
  const builtin = BUILTIN_NAMES[name];
  if (builtin) return { exc_type: builtin, exc_message: args, exc_module: 'builtins' };
  return { exc_type: name, exc_message: args, exc_module: 'celeriac' };
}

export function isExcInfo(value: unknown): value is ExcInfo {
  return value !== null && typeof value === 'object' && typeof (value as ExcInfo).exc_type === 'string';
}

/** The error `AsyncResult.get()` rejects with for a FAILURE / REVOKED result. */
export function remoteErrorFromMeta(meta: ResultMeta): RemoteTaskError {
  const r = meta.result;
  if (isExcInfo(r)) {
    const args = Array.isArray(r.exc_message) ? r.exc_message : [r.exc_message];
    return new RemoteTaskError({
      taskId: meta.task_id, state: meta.status, excType: r.exc_type, excModule: r.exc_module ?? 'builtins', excArgs: args, traceback: meta.traceback,
    });
  }
  return new RemoteTaskError({
    taskId: meta.task_id, state: meta.status, excType: 'Exception', excModule: 'builtins', excArgs: [r], traceback: meta.traceback,
  });
}

/** A naive UTC ISO date as Python 5.2 writes `date_done` (microseconds, no offset). */
export function dateDone(now: Date = new Date()): string {
  return now.toISOString().replace('Z', '000');
}

export function buildResultMeta(init: {
  taskId: string;
  status: TaskState;
  result: unknown;
  traceback?: string | null;
  children?: unknown[];
  groupId?: string | null;
  parentId?: string | null;
  /** More fields, after Celery's own (`result_extended`: name, args, kwargs, worker, retries, queue). */
  extra?: Readonly<Record<string, unknown>>;
  now?: Date;
}): ResultMeta {
  const ready = init.status === TaskState.SUCCESS || EXCEPTION_STATES.has(init.status) && init.status !== TaskState.RETRY;
  const meta: ResultMeta = {
    status: init.status,
    result: init.result,
    traceback: init.traceback ?? null,
    children: init.children ?? [],
    date_done: ready ? dateDone(init.now) : null,
    task_id: init.taskId,
  };
  if (init.groupId) meta.group_id = init.groupId;
  if (init.parentId) meta.parent_id = init.parentId;
  for (const [k, v] of Object.entries(init.extra ?? {})) if (!(k in meta)) meta[k] = v;
  return meta;
}

/** Reads a result document from the wire; null when it is not one. */
export function asResultMeta(value: unknown): ResultMeta | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.status !== 'string' || typeof v.task_id !== 'string') return null;
  return {
    ...v,
    task_id: v.task_id,
    status: v.status,
    result: v.result ?? null,
    traceback: typeof v.traceback === 'string' ? v.traceback : null,
    children: Array.isArray(v.children) ? v.children : [],
    date_done: typeof v.date_done === 'string' ? v.date_done : null,
  };
}
