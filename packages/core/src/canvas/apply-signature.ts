/**
 * Applies any signature dict, plain or composite, the way Celery puts canvases on the wire:
 * - chain: only the first step is sent; the rest travel reversed in `embed.chain`, each step
 *   frozen with its `task_id` and `reply_to`; the chain's result is the last step's.
 * - group: each member is sent with `group=<gid>`.
 * - chord: the counter is registered (`chordInit`), then header members are sent with
 *   `group`, `group_index` and `embed.chord` = the body.
 * Used by producers (`chain(...).applyAsync()`) and by workers (callbacks, chain steps, chord bodies).
 */
import type { ResultBackend } from '../backends/result-backend.js';
import { ChordNotSupportedError } from '../errors/result-errors.js';
import { ConfigurationError } from '../errors/task-errors.js';
import type { SendOptions } from '../producer/apply-options.js';
import { newId } from '../util/ids.js';
import { asSignatureDict, isPlainObject, type SignatureDict } from './signature-dict.js';

export interface CanvasContext {
  /** Sends one task message and returns its id. */
  send(name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendOptions): Promise<string>;
  backend: ResultBackend;
  replyTo(): Promise<string>;
}

export type Applied = { kind: 'task'; id: string } | { kind: 'group'; id: string; members: Applied[] };

export interface CallArgs {
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  /** Options that win over the signature's own (parent/root ids, group membership...). */
  options?: SendOptions;
}

export async function applySignatureDict(ctx: CanvasContext, sig: SignatureDict, call: CallArgs = {}): Promise<Applied> {
  switch (sig.subtask_type) {
    case 'chain':
      return applyChain(ctx, sig, call);
    case 'group':
      return applyGroup(ctx, sig, call);
    case 'chord':
      return applyChord(ctx, sig, call);
    case 'chunks':
      return applyGroup(ctx, chunksToGroup(sig), call);
    default: {
      const args = sig.immutable ? [...sig.args] : [...(call.args ?? []), ...sig.args];
      const kwargs = sig.immutable ? { ...sig.kwargs } : { ...sig.kwargs, ...(call.kwargs ?? {}) };
      const options = { ...fromWireOptions(sig.options), ...stripUndefined(call.options ?? {}) };
      return { kind: 'task', id: await ctx.send(sig.task, args, kwargs, options) };
    }
  }
}

function members(sig: SignatureDict, key = 'tasks'): SignatureDict[] {
  const list = sig.kwargs[key];
  if (!Array.isArray(list)) throw new ConfigurationError(`${sig.subtask_type} signature without kwargs.${key}`);
  return list.map((x) => {
    const s = asSignatureDict(x);
    if (!s) throw new ConfigurationError(`${sig.subtask_type} member is not a signature`);
    return s;
  });
}

async function applyChain(ctx: CanvasContext, sig: SignatureDict, call: CallArgs): Promise<Applied> {
  const steps = members(sig);
  if (steps.length === 0) throw new ConfigurationError('cannot apply an empty chain');
  const [first, ...rest] = steps as [SignatureDict, ...SignatureDict[]];
  if (first.subtask_type === 'group' && rest.length > 0) {
    // group | task is a chord, as in Celery
    const body = rest.length === 1 ? rest[0]! : { ...sig, kwargs: { tasks: rest } };
    return applyChord(ctx, makeChord(first, body), call);
  }
  const replyTo = call.options?.replyTo ?? (await ctx.replyTo());
  const frozen = rest.map((s) => freeze(s, replyTo));
  const lastOverride = sig.options.task_id;
  if (typeof lastOverride === 'string' && frozen.length > 0) frozen[frozen.length - 1]!.options.task_id = lastOverride;
  const chainTail = frozen.slice().reverse();
  const head = await applySignatureDict(ctx, first, {
    ...call,
    options: { ...(call.options ?? {}), replyTo, ...(chainTail.length > 0 ? { chain: chainTail as unknown as Record<string, unknown>[] } : {}) },
  });
  const last = frozen[frozen.length - 1];
  return last ? { kind: 'task', id: last.options.task_id as string } : head;
}

async function applyGroup(ctx: CanvasContext, sig: SignatureDict, call: CallArgs): Promise<Applied> {
  const groupId = (typeof sig.options.task_id === 'string' ? sig.options.task_id : undefined) ?? call.options?.groupId ?? newId();
  const out: Applied[] = [];
  for (const m of members(sig)) {
    out.push(await applySignatureDict(ctx, m, { ...call, options: { ...(call.options ?? {}), groupId, groupIndex: null } }));
  }
  return { kind: 'group', id: groupId, members: out };
}

async function applyChord(ctx: CanvasContext, sig: SignatureDict, call: CallArgs): Promise<Applied> {
  if (!ctx.backend.supportsChords || !ctx.backend.chordInit) throw new ChordNotSupportedError(ctx.backend.kind);
  const header = asSignatureDict(sig.kwargs.header);
  const bodySig = asSignatureDict(sig.kwargs.body);
  if (!header || !bodySig) throw new ConfigurationError('chord signature needs kwargs.header and kwargs.body');
  const headerMembers = header.subtask_type === 'group' ? members(header) : [header];
  const replyTo = call.options?.replyTo ?? (await ctx.replyTo());
  const body = freeze(bodySig, replyTo);
  const bodyId = body.options.task_id as string;
  if (headerMembers.length === 0) {
    await applySignatureDict(ctx, body, { args: [[]] });
    return { kind: 'task', id: bodyId };
  }
  const groupId = (typeof header.options.task_id === 'string' ? header.options.task_id : undefined) ?? newId();
  await ctx.backend.chordInit(groupId, headerMembers.length);
  let index = 0;
  for (const m of headerMembers) {
    await applySignatureDict(ctx, m, {
      ...call,
      options: { ...(call.options ?? {}), replyTo, groupId, groupIndex: index++, chord: body as unknown as Record<string, unknown> },
    });
  }
  return { kind: 'task', id: bodyId };
}

/** Celery's chunks.group(): one xstarmap signature per slice of `n` argument tuples. */
function chunksToGroup(sig: SignatureDict): SignatureDict {
  const task = asSignatureDict(sig.kwargs.task);
  const it = sig.kwargs.it;
  const n = Number(sig.kwargs.n);
  if (!task || !Array.isArray(it) || !(n >= 1)) throw new ConfigurationError('chunks signature needs kwargs {task, it, n}');
  const tasks: SignatureDict[] = [];
  for (let i = 0; i < it.length; i += n) {
    tasks.push({ task: 'celery.starmap', args: [], kwargs: { task, it: it.slice(i, i + n) }, options: {}, subtask_type: 'xstarmap', immutable: false });
  }
  return { task: 'celery.group', args: [], kwargs: { tasks }, options: { ...sig.options }, subtask_type: 'group', immutable: false };
}

export function makeChord(header: SignatureDict, body: SignatureDict): SignatureDict {
  return { task: 'celery.chord', args: [], kwargs: { header, body, kwargs: {} }, options: {}, subtask_type: 'chord', immutable: false };
}

/** Gives a step (and, for chains, its last task) a fixed id and reply queue, as Celery's freeze(). */
export function freeze(sig: SignatureDict, replyTo: string): SignatureDict {
  const copy: SignatureDict = { ...sig, options: { ...sig.options } };
  if (copy.subtask_type === null) {
    copy.options.task_id ??= newId();
    copy.options.reply_to ??= replyTo;
  } else {
    copy.options.task_id ??= newId();
  }
  return copy;
}

const WIRE_TO_SEND: Record<string, keyof SendOptions> = {
  task_id: 'taskId', queue: 'queue', exchange: 'exchange', routing_key: 'routingKey', priority: 'priority',
  countdown: 'countdown', eta: 'eta', expires: 'expires', time_limit: 'timeLimit', soft_time_limit: 'softTimeLimit',
  headers: 'headers', shadow: 'shadow', ignore_result: 'ignoreResult', reply_to: 'replyTo', group_id: 'groupId',
  group_index: 'groupIndex', root_id: 'rootId', parent_id: 'parentId', chord: 'chord', chain: 'chain',
};

/** Celery option names (as found in a signature's `options`) → SendOptions. Unknown ones are ignored. */
export function fromWireOptions(options: Record<string, unknown>): SendOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || v === null && k !== 'group_index') continue;
    if (k === 'link' || k === 'link_error') {
      const list = (Array.isArray(v) ? v : [v]).map(asSignatureDict).filter((s): s is SignatureDict => s !== null);
      out[k === 'link' ? 'callbacks' : 'errbacks'] = list;
      continue;
    }
    const key = WIRE_TO_SEND[k];
    if (key) out[key] = k === 'chord' && isPlainObject(v) ? v : v;
  }
  return out as SendOptions;
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
