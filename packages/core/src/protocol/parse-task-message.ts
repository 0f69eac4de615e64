/**
 * Validates a decoded task message and turns it into a `TaskRequest`. Accepts protocol v2
 * (the `task` header is present), protocol v1 (a dict body carrying `task`), and the hybrid
 * (v2 headers with a dict body) that Python also accepts. Anything else throws
 * `InvalidTaskMessageError` with a reason a human can act on. Pure.
 */
import { InvalidTaskMessageError } from '../errors/task-errors.js';
import { asSignatureDict, isPlainObject, type SignatureDict } from '../canvas/signature-dict.js';
import { EMPTY_EMBED, type TaskEmbed, type TaskRequest } from './task-message.js';
import { argsRepr, kwargsRepr } from './python-repr.js';
import { parseCeleryDate } from './time.js';

export interface RawTaskMessage {
  headers: Record<string, unknown> | undefined;
  correlationId?: string | undefined;
  replyTo?: string | undefined;
  priority?: number | undefined;
  body: unknown;
}

/**
 * `argsrepr` / `kwargsrepr` live on this shared prototype and are computed when something reads
 * them (events, logs): the header the producer wrote, or Celery's `saferepr` of the arguments.
 * A worker with events off never builds them.
 */
const LAZY_REPRS: object = Object.freeze(Object.defineProperties({}, {
  argsrepr: {
    get(this: TaskRequest): string {
      const header = this.headers.argsrepr;
      return typeof header === 'string' ? header : argsRepr(this.args);
    },
    enumerable: true,
  },
  kwargsrepr: {
    get(this: TaskRequest): string {
      const header = this.headers.kwargsrepr;
      return typeof header === 'string' ? header : kwargsRepr(this.kwargs);
    },
    enumerable: true,
  },
}));

type EagerFields = Omit<TaskRequest, 'argsrepr' | 'kwargsrepr'>;

export const withLazyReprs = (fields: EagerFields): TaskRequest => Object.setPrototypeOf(fields, LAZY_REPRS) as TaskRequest;

export function parseTaskMessage(raw: RawTaskMessage): TaskRequest {
  const headers = isPlainObject(raw.headers) ? raw.headers : {};
  if (headers.task !== undefined) return parseV2(headers, raw);
  if (isPlainObject(raw.body) && typeof raw.body.task === 'string') return parseV1(raw.body, headers, raw);
  throw new InvalidTaskMessageError('not a Celery task message: no "task" header and no protocol 1 body');
}

function parseV2(headers: Record<string, unknown>, raw: RawTaskMessage): TaskRequest {
  const name = requireString(headers, 'task');
  const id = requireString(headers, 'id');
  let args: unknown[];
  let kwargs: Record<string, unknown>;
  let embed: TaskEmbed;
  if (Array.isArray(raw.body)) {
    if (raw.body.length !== 3) {
      throw new InvalidTaskMessageError(`body must be [args, kwargs, embed], got an array of ${raw.body.length} elements`);
    }
    const [a, k, e] = raw.body as unknown[];
    if (!Array.isArray(a)) throw new InvalidTaskMessageError('body[0] (args) must be an array');
    if (!isPlainObject(k)) throw new InvalidTaskMessageError('body[1] (kwargs) must be an object');
    args = a;
    kwargs = k;
    embed = parseEmbed(e);
  } else if (isPlainObject(raw.body) && Array.isArray(raw.body.args)) {
    // hybrid: v2 headers with a v1-style dict body
    args = raw.body.args;
    kwargs = isPlainObject(raw.body.kwargs) ? raw.body.kwargs : {};
    embed = parseEmbed(raw.body.embed ?? null);
  } else {
    throw new InvalidTaskMessageError('body must be a JSON array [args, kwargs, embed]');
  }
  return withLazyReprs({
    id,
    name,
    args,
    kwargs,
    embed,
    shadow: optionalString(headers, 'shadow'),
    eta: optionalDate(headers, 'eta'),
    expires: optionalDate(headers, 'expires'),
    retries: optionalInt(headers, 'retries') ?? 0,
    timelimit: parseTimelimit(headers.timelimit),
    rootId: optionalString(headers, 'root_id') ?? id,
    parentId: optionalString(headers, 'parent_id'),
    group: optionalString(headers, 'group'),
    groupIndex: optionalInt(headers, 'group_index'),
    origin: optionalString(headers, 'origin'),
    ignoreResult: headers.ignore_result === true,
    replyTo: raw.replyTo || null,
    correlationId: raw.correlationId || id,
    priority: raw.priority ?? 0,
    headers,
  });
}

function parseV1(body: Record<string, unknown>, headers: Record<string, unknown>, raw: RawTaskMessage): TaskRequest {
  const id = requireString(body, 'id');
  const args = body.args ?? [];
  const kwargs = body.kwargs ?? {};
  if (!Array.isArray(args)) throw new InvalidTaskMessageError('protocol 1 body: "args" must be an array');
  if (!isPlainObject(kwargs)) throw new InvalidTaskMessageError('protocol 1 body: "kwargs" must be an object');
  const embed: TaskEmbed = {
    callbacks: parseSigList(body.callbacks, 'callbacks'),
    errbacks: parseSigList(body.errbacks, 'errbacks'),
    chain: null,
    chord: body.chord == null ? null : parseSig(body.chord, 'chord'),
  };
  const group = optionalString(body, 'taskset') ?? optionalString(body, 'group');
  return withLazyReprs({
    id,
    name: body.task as string,
    args,
    kwargs,
    embed,
    shadow: null,
    eta: optionalDate(body, 'eta'),
    expires: optionalDate(body, 'expires'),
    retries: optionalInt(body, 'retries') ?? 0,
    timelimit: parseTimelimit(body.timelimit),
    rootId: id,
    parentId: null,
    group,
    groupIndex: optionalInt(body, 'group_index'),
    origin: null,
    ignoreResult: false,
    replyTo: raw.replyTo || null,
    correlationId: raw.correlationId || id,
    priority: raw.priority ?? 0,
    headers,
  });
}

function parseEmbed(value: unknown): TaskEmbed {
  if (value === null || value === undefined) return { ...EMPTY_EMBED };
  if (!isPlainObject(value)) throw new InvalidTaskMessageError('body[2] (embed) must be an object or null');
  return {
    callbacks: parseSigList(value.callbacks, 'callbacks'),
    errbacks: parseSigList(value.errbacks, 'errbacks'),
    chain: parseSigList(value.chain, 'chain'),
    chord: value.chord == null ? null : parseSig(value.chord, 'chord'),
  };
}

function parseSigList(value: unknown, field: string): SignatureDict[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) throw new InvalidTaskMessageError(`embed.${field} must be a list of signatures`);
  return value.map((v) => parseSig(v, field));
}

function parseSig(value: unknown, field: string): SignatureDict {
  const sig = asSignatureDict(value);
  if (!sig) throw new InvalidTaskMessageError(`embed.${field} holds something that is not a signature`);
  return sig;
}

function requireString(obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new InvalidTaskMessageError(`header "${key}" must be a non-empty string, got ${describe(v)}`);
  }
  return v;
}

function optionalString(obj: Record<string, unknown>, key: string): string | null {
  const v = obj[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new InvalidTaskMessageError(`header "${key}" must be a string or null, got ${describe(v)}`);
  return v;
}

function optionalInt(obj: Record<string, unknown>, key: string): number | null {
  const v = obj[key];
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new InvalidTaskMessageError(`header "${key}" must be an integer, got ${describe(v)}`);
  }
  return v;
}

function optionalDate(obj: Record<string, unknown>, key: string): Date | null {
  const v = obj[key];
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v !== 'string') throw new InvalidTaskMessageError(`header "${key}" must be an ISO-8601 string, got ${describe(v)}`);
  try {
    return parseCeleryDate(v);
  } catch (err) {
    throw new InvalidTaskMessageError(`header "${key}" is not a valid date: ${JSON.stringify(v)}`, { cause: err });
  }
}

function parseTimelimit(v: unknown): [number | null, number | null] {
  if (v === null || v === undefined) return [null, null];
  if (!Array.isArray(v) || v.length !== 2) throw new InvalidTaskMessageError('header "timelimit" must be [hard, soft]');
  return [timelimitSeconds(v[0]), timelimitSeconds(v[1])];
}

function timelimitSeconds(x: unknown): number | null {
  if (x === null || x === undefined) return null;
  if (typeof x !== 'number' || !(x >= 0)) throw new InvalidTaskMessageError('header "timelimit" values must be seconds or null');
  return x;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Buffer.isBuffer(v)) return 'bytes';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(String(v)).slice(0, 40)}`;
}
