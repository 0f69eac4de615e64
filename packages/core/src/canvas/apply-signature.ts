/**
 * Applies any signature dict, plain or composite, the way Celery puts canvases on the wire:
 * - chain: every step frozen first; only the first is sent, the rest travel reversed in
 *   `embed.chain` (after whatever chain the call already carries); the result is the last step's.
 * - group: each member (nested groups spliced in) sent with `group=<gid>`.
 * - chord: the call's options (the rest of a chain, group membership, lineage, links) go to the
 *   body, as Celery's `chord.run` does; the counter is registered, then the header members are
 *   sent with `group`, `group_index` and `embed.chord` = that body. The result is the body's.
 * Used by producers (`chain(...).applyAsync()`) and by workers (callbacks, chain steps, chord
 * bodies, `replace()`), so both sides compose canvases the same way.
 */
import type { ResultBackend } from '../backends/result-backend.js';
import { ChordNotSupportedError } from '../errors/result-errors.js';
import { ConfigurationError } from '../errors/task-errors.js';
import type { SendOptions } from '../producer/apply-options.js';
import { fromWireOptions, signatureList, toWireOptions } from '../producer/option-names.js';
import type { SendRequest } from '../producer/resolve-send.js';
import { newId } from '../util/ids.js';
import { chordParts, chordSize, freeze, headerMembers, listed, makeChord, type Applied } from './freeze.js';
import { asSignatureDict, type SignatureDict } from './signature-dict.js';

export type { Applied } from './freeze.js';

export interface CanvasContext {
  /** Sends one task message (through the producer's single pipeline) and returns its id. */
  send(req: SendRequest): Promise<string>;
  backend: ResultBackend;
  replyTo(): Promise<string>;
}

/** The canvas context of an app: its producer's one send pipeline and its result backend. */
export function canvasContext(producer: { send(req: SendRequest): Promise<string> }, backend: ResultBackend): CanvasContext {
  return { send: (req) => producer.send(req), backend, replyTo: () => backend.prepareClient() };
}

export interface CallArgs {
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  /** Options that win over the signature's own (lineage, the rest of a chain, group membership...). */
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
    case 'chunks': // written by older Celeriac versions; Celery's chunks class applies as a group
      return applyGroup(ctx, chunksToGroup(sig), call);
    default:
      return applyTask(ctx, sig, call);
  }
}

async function applyTask(ctx: CanvasContext, sig: SignatureDict, call: CallArgs): Promise<Applied> {
  const args = sig.immutable ? [...sig.args] : [...(call.args ?? []), ...sig.args];
  const kwargs = sig.immutable ? { ...sig.kwargs } : { ...sig.kwargs, ...(call.kwargs ?? {}) };
  let options = call.options ?? {};
  if (sig.options.group_id !== undefined && sig.options.group_id !== null && options.groupId !== undefined) {
    const { groupId: _ignored, ...rest } = options; // as Celery: a frozen group_id is not overridden
    options = rest;
  }
  const id = await ctx.send({ name: sig.task, args, kwargs, call: options, signature: fromWireOptions(sig.options) });
  return { kind: 'task', id };
}

async function applyChain(ctx: CanvasContext, sig: SignatureDict, call: CallArgs): Promise<Applied> {
  const { taskId, groupId, groupIndex, chord, link, linkError, chain: after, rootId, parentId, replyTo: givenReplyTo, ...first } = merged(sig, call);
  const replyTo = givenReplyTo ?? (await ctx.replyTo());
  const steps = listed(sig).map((s) => (linkError ? linkTo(s, 'link_error', linkError) : s));
  const withLinks: SignatureDict = { ...sig, kwargs: { ...sig.kwargs, tasks: steps } };
  const frozen = freeze(withLinks, defined({ taskId, groupId, groupIndex, chord, rootId, replyTo }));
  const frozenSteps = listed(frozen.sig);
  if (link) frozenSteps[frozenSteps.length - 1] = appendOption(frozenSteps[frozenSteps.length - 1]!, 'link', signatureList(link));
  const [head, ...rest] = frozenSteps as [SignatureDict, ...SignatureDict[]];
  const applied = await applySignatureDict(ctx, head, {
    ...(call.args ? { args: call.args } : {}),
    ...(call.kwargs ? { kwargs: call.kwargs } : {}),
    options: { ...first, ...defined({ rootId, parentId }), replyTo, chain: [...(after ?? []), ...rest.reverse()] },
  });
  return frozenSteps.length === 1 ? applied : frozen.result;
}

async function applyGroup(ctx: CanvasContext, sig: SignatureDict, call: CallArgs): Promise<Applied> {
  const { taskId, chain: after, groupId, groupIndex: _index, chord, ...each } = merged(sig, call);
  if (after && after.length > 0) {
    // a group with steps after it: they run once, with the list of results (a chord)
    const { chain: _chain, ...options } = call.options ?? {};
    const rest = [...after].reverse();
    const body = rest.length === 1 ? rest[0]! : { task: 'celery.chain', args: [], kwargs: { tasks: rest }, options: {}, subtask_type: 'chain' as const, immutable: false };
    return applyChord(ctx, makeChord({ ...sig, options: { ...sig.options, ...(taskId ? { task_id: taskId } : {}) } }, body), { ...call, options });
  }
  const id = taskId ?? groupId ?? newId();
  const frozen = freeze({ ...sig, options: { ...sig.options, task_id: id } }, defined({ chord, rootId: each.rootId, replyTo: each.replyTo }));
  const members: Applied[] = [];
  for (const m of listed(frozen.sig)) members.push(await applySignatureDict(ctx, m, { ...call, options: each }));
  return { kind: 'group', id, members };
}

async function applyChord(ctx: CanvasContext, sig: SignatureDict, call: CallArgs): Promise<Applied> {
  if (!ctx.backend.supportsChords || !ctx.backend.chordInit) throw new ChordNotSupportedError(ctx.backend.kind);
  const { header, body } = chordParts(sig);
  const { taskId, kwargs: _kwargs, ...toBody } = merged(sig, call);
  const replyTo = toBody.replyTo ?? (await ctx.replyTo());
  const bodyId = (typeof body.options.task_id === 'string' ? body.options.task_id : undefined) ?? taskId ?? newId();
  const finalBody = freeze({ ...body, options: { ...body.options, ...toWireOptions(toBody) } }, { taskId: bodyId, replyTo });
  const groupId = (typeof header.options.task_id === 'string' ? header.options.task_id : undefined) ?? newId();
  const members = headerMembers(header).map((m, i) => freeze(m, defined({ groupId, groupIndex: i, chord: finalBody.sig, rootId: toBody.rootId, replyTo })));
  const headerResult: Applied = { kind: 'group', id: groupId, members: members.map((m) => m.result) };
  if (members.length === 0) {
    await applySignatureDict(ctx, finalBody.sig, { args: [[]] });
    return { ...finalBody.result, parent: headerResult };
  }
  await ctx.backend.chordInit(groupId, members.reduce((n, m) => n + chordSize(m.sig), 0));
  // the header gets the call's plain options, not the membership, chain or callbacks meant for the body
  const { chain: _c, chord: _ch, groupId: _g, groupIndex: _i, link: _l, linkError: _e, ...options } = { ...toBody, replyTo };
  for (const m of members) {
    await applySignatureDict(ctx, m.sig, { ...(call.args ? { args: call.args } : {}), ...(call.kwargs ? { kwargs: call.kwargs } : {}), options });
  }
  return { ...finalBody.result, parent: headerResult };
}

/** The signature's own options under the call's (the call wins). */
function merged(sig: SignatureDict, call: CallArgs): SendOptions {
  return { ...fromWireOptions(sig.options), ...defined(call.options ?? {}) };
}

/**
 * Adds a callback or errback where Celery's `link` / `link_error` end up: a task's options; a
 * chain's last step (callback) or every step (errback); a group's first member (callback, made
 * immutable) or every member (errback); a chord's body.
 */
export function linkTo(sig: SignatureDict, key: 'link' | 'link_error', add: SendOptions['link']): SignatureDict {
  const dicts = signatureList(add);
  if (dicts.length === 0) return sig;
  switch (sig.subtask_type) {
    case 'chord': {
      const { body } = chordParts(sig);
      return { ...sig, kwargs: { ...sig.kwargs, body: linkTo(body, key, dicts) } };
    }
    case 'group':
    case 'chain': {
      const members = listed(sig);
      const last = members.length - 1;
      const tasks = key === 'link_error' ? members.map((m) => linkTo(m, key, dicts))
        : sig.subtask_type === 'chain' ? members.map((m, i) => (i === last ? appendOption(m, key, dicts) : m))
          : members.map((m, i) => (i === 0 ? linkTo(m, key, dicts.map((d) => ({ ...d, immutable: true }))) : m));
      return { ...sig, kwargs: { ...sig.kwargs, tasks } };
    }
    default:
      return appendOption(sig, key, dicts);
  }
}

function appendOption(sig: SignatureDict, key: 'link' | 'link_error', dicts: SignatureDict[]): SignatureDict {
  return { ...sig, options: { ...sig.options, [key]: [...signatureList(sig.options[key]), ...dicts] } };
}

/** Celery's `chunks.group()`: one `celery.starmap` signature per slice of `n` argument tuples. */
export function chunksToGroup(sig: SignatureDict): SignatureDict {
  const task = asSignatureDict(sig.kwargs.task);
  const it = sig.kwargs.it;
  const n = Number(sig.kwargs.n);
  if (!task || !Array.isArray(it) || !(n >= 1)) throw new ConfigurationError('chunks signature needs kwargs {task, it, n}');
  const tasks: SignatureDict[] = [];
  for (let i = 0; i < it.length; i += n) {
    tasks.push({ task: 'celery.starmap', args: [], kwargs: { task, it: it.slice(i, i + n) }, options: {}, subtask_type: null, immutable: true });
  }
  const { task_id: _id, ...options } = sig.options;
  return { task: 'celery.group', args: [], kwargs: { tasks }, options, subtask_type: 'group', immutable: false };
}

function defined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
