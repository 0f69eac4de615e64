/**
 * Freezing, as Celery's `freeze()`: every task of a canvas gets its id (and reply queue)
 * before anything is sent, so the caller's result handles and the ids travelling inside
 * `embed.chain` / `embed.chord` agree. The membership options go where Celery puts them:
 * a chain's task id, group and chord go to its last step, a chord's to its body, a group's
 * to each member. Works on copies; pure apart from new ids.
 */
import { ConfigurationError } from '../errors/task-errors.js';
import { newId } from '../util/ids.js';
import { asSignatureDict, type SignatureDict } from './signature-dict.js';

/** What a frozen (or applied) canvas resolves to: one task's result, or a group of results. */
export type Applied =
  | { kind: 'task'; id: string; /** for a chord's result: the header group */ parent?: Applied }
  | { kind: 'group'; id: string; members: Applied[]; parent?: Applied };

/** Null and undefined both mean "not given" (send options use null for "none"). */
export interface FreezeOptions {
  taskId?: string | null;
  groupId?: string | null;
  groupIndex?: number | null;
  /** The chord body this (last) task reports to. */
  chord?: SignatureDict | null;
  rootId?: string | null;
  parentId?: string | null;
  replyTo?: string | null;
}

export interface Frozen {
  sig: SignatureDict;
  result: Applied;
}

export function freeze(sig: SignatureDict, o: FreezeOptions = {}): Frozen {
  switch (sig.subtask_type) {
    case 'chain':
      return freezeChain(sig, o);
    case 'group':
      return freezeGroup(sig, o);
    case 'chord':
      return freezeChord(sig, o);
    default:
      return freezeTask(sig, o);
  }
}

/** Celery's `Signature.freeze`: an existing id and group id are kept; chord, index and lineage are set. */
function freezeTask(sig: SignatureDict, o: FreezeOptions): Frozen {
  const options = { ...sig.options };
  options.task_id ??= o.taskId ?? newId();
  if (o.rootId != null) options.root_id = o.rootId;
  if (o.parentId != null) options.parent_id = o.parentId;
  if (o.replyTo != null) options.reply_to ??= o.replyTo;
  if (o.groupId != null) options.group_id ??= o.groupId;
  if (o.chord != null) options.chord = o.chord;
  if (o.groupIndex != null) options.group_index = o.groupIndex;
  return { sig: { ...sig, options }, result: { kind: 'task', id: options.task_id as string } };
}

function freezeChain(sig: SignatureDict, o: FreezeOptions): Frozen {
  const steps = chainSteps(sig);
  if (steps.length === 0) throw new ConfigurationError('cannot apply an empty chain');
  const last = steps.length - 1;
  const taskId = typeof sig.options.task_id === 'string' ? sig.options.task_id : o.taskId;
  const frozen = steps.map((step, i) => freeze(step, i === last
    ? { ...pick(o, 'groupId', 'groupIndex', 'chord', 'rootId', 'replyTo'), ...(taskId != null ? { taskId } : {}) }
    : pick(o, 'rootId', 'replyTo')));
  const { task_id: _id, ...options } = sig.options;
  return {
    sig: { ...sig, options, kwargs: { ...sig.kwargs, tasks: frozen.map((f) => f.sig) } },
    result: frozen[last]!.result,
  };
}

function freezeGroup(sig: SignatureDict, o: FreezeOptions): Frozen {
  // as Celery: a group that is itself a member takes its parent's group id, so a chord counts its members
  const groupId = (typeof sig.options.task_id === 'string' ? sig.options.task_id : undefined) ?? o.groupId ?? newId();
  const frozen = groupMembers(sig).map((m) => freeze(m, {
    groupId, ...pick(o, 'chord', 'rootId', 'parentId', 'replyTo'),
  }));
  return {
    sig: { ...sig, options: { ...sig.options, task_id: groupId }, kwargs: { ...sig.kwargs, tasks: frozen.map((f) => f.sig) } },
    result: { kind: 'group', id: groupId, members: frozen.map((f) => f.result) },
  };
}

function freezeChord(sig: SignatureDict, o: FreezeOptions): Frozen {
  const { header, body } = chordParts(sig);
  const groupId = (typeof header.options.task_id === 'string' ? header.options.task_id : undefined) ?? newId();
  const bodyFrozen = freeze(body, pick(o, 'taskId', 'groupId', 'groupIndex', 'chord', 'rootId', 'replyTo'));
  // Header members get only their ids here: the group id, index and body are set when the chord
  // is applied, as Celery does (a Python worker applying this dict picks a new group id, and a
  // member keeps a group_id it already has, so one frozen now would report to the wrong group).
  const members = headerMembers(header).map((m) => freeze(m, pick(o, 'rootId', 'parentId', 'replyTo')));
  const headerSig: SignatureDict = { ...header, subtask_type: 'group', task: 'celery.group', options: { ...header.options, task_id: groupId }, kwargs: { tasks: members.map((f) => f.sig) } };
  return {
    // as Celery: a frozen chord's own task_id is its header group's id
    sig: { ...sig, options: { ...sig.options, task_id: groupId }, kwargs: { ...sig.kwargs, header: headerSig, body: bodyFrozen.sig } },
    result: { ...bodyFrozen.result, parent: { kind: 'group', id: groupId, members: members.map((f) => f.result) } },
  };
}

function pick<K extends keyof FreezeOptions>(o: FreezeOptions, ...keys: K[]): Pick<FreezeOptions, K> {
  const out: Partial<FreezeOptions> = {};
  for (const k of keys) if (o[k] !== undefined) (out as Record<string, unknown>)[k] = o[k];
  return out as Pick<FreezeOptions, K>;
}

/** The signatures a composite lists in `kwargs[key]`. */
export function listed(sig: SignatureDict, key = 'tasks'): SignatureDict[] {
  const list = sig.kwargs[key];
  if (!Array.isArray(list)) throw new ConfigurationError(`${sig.subtask_type} signature without kwargs.${key}`);
  return list.map((x) => {
    const s = asSignatureDict(x);
    if (!s) throw new ConfigurationError(`${sig.subtask_type} member is not a signature`);
    return s;
  });
}

/** A group's members with nested groups spliced in, in order (Celery unrolls nested groups). */
export function groupMembers(sig: SignatureDict): SignatureDict[] {
  return listed(sig).flatMap((m) => (m.subtask_type === 'group' ? groupMembers(m) : [m]));
}

/** A chord header's members: a group's (flattened), a chain's steps (as Celery), or the one task. */
export function headerMembers(header: SignatureDict): SignatureDict[] {
  if (header.subtask_type === 'group') return groupMembers(header);
  if (header.subtask_type === 'chain') return listed(header);
  return [header];
}

export function chordParts(sig: SignatureDict): { header: SignatureDict; body: SignatureDict } {
  const header = asSignatureDict(sig.kwargs.header);
  const body = asSignatureDict(sig.kwargs.body);
  if (!header || !body) throw new ConfigurationError('chord signature needs kwargs.header and kwargs.body');
  return { header, body };
}

/**
 * A chain's steps composed as Celery's `|` composes them: nested chains spliced in, one-member
 * groups unrolled, a group followed by a step upgraded to a chord with that step as body, and
 * steps after a chord absorbed into its body. So a chord (or a group) is only ever the last
 * step, and no worker has to carry "the rest of a chain" through a chord.
 */
export function chainSteps(sig: SignatureDict): SignatureDict[] {
  const out: SignatureDict[] = [];
  for (const step of listed(sig).flatMap((s) => (s.subtask_type === 'chain' ? chainSteps(s) : [unrollGroup(s)]))) {
    const last = out[out.length - 1];
    if (last && (last.subtask_type === 'chord' || last.subtask_type === 'group')) out[out.length - 1] = pipe(last, step);
    else out.push(step);
  }
  return out;
}

/** Celery's `a | b` for a chord or group `a`: the chord's body becomes `body | b`; a group becomes a chord. */
function pipe(a: SignatureDict, b: SignatureDict): SignatureDict {
  if (a.subtask_type === 'group') return makeChord(a, b);
  const { body } = chordParts(a);
  const steps = chainSteps(chainOf([body, b]));
  return { ...a, kwargs: { ...a.kwargs, body: steps.length === 1 ? steps[0]! : chainOf(steps) } };
}

function chainOf(steps: SignatureDict[]): SignatureDict {
  return { task: 'celery.chain', args: [], kwargs: { tasks: steps }, options: {}, subtask_type: 'chain', immutable: false };
}

function unrollGroup(sig: SignatureDict): SignatureDict {
  if (sig.subtask_type !== 'group') return sig;
  const members = listed(sig);
  return members.length === 1 ? members[0]! : sig;
}

export function makeChord(header: SignatureDict, body: SignatureDict, options: Record<string, unknown> = {}): SignatureDict {
  return { task: 'celery.chord', args: [], kwargs: { header, body, kwargs: {} }, options, subtask_type: 'chord', immutable: false };
}

/**
 * How many results a header member reports to its chord (Celery's `_descend`): one per task,
 * a group's members, a chain's last step, a chord's body.
 */
export function chordSize(sig: SignatureDict): number {
  switch (sig.subtask_type) {
    case 'group':
      return groupMembers(sig).reduce((n, m) => n + chordSize(m), 0);
    case 'chain': {
      const steps = chainSteps(sig);
      for (let i = steps.length - 1; i >= 0; i--) {
        const n = chordSize(steps[i]!);
        if (n > 0) return n;
      }
      return 0;
    }
    case 'chord':
      return chordSize(chordParts(sig).body);
    default:
      return 1;
  }
}
