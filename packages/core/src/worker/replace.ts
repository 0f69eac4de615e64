/**
 * `this.replace(sig)` for Node tasks, with Celery 5.2's `Task.replace` semantics: the
 * replacement is frozen with the running task's id (a chain's last step, a chord's body), so
 * whoever waits on this task gets the replacement's result. It inherits the task's callbacks,
 * errbacks, chord membership and root, and the rest of the task's chain runs after it. A group
 * becomes `group | celery.accumulate.s(index=0)`, a chord whose result is the list (so does a
 * chain ending in a group, which Celery 5.2 leaves without a result under this id). The task
 * itself then ends like `Ignore`: no result of its own is stored.
 */
import { applySignatureDict, linkTo, type CanvasContext } from '../canvas/apply-signature.js';
import { chainSteps, chordParts, freeze, listed, makeChord } from '../canvas/freeze.js';
import type { SignatureDict } from '../canvas/signature-dict.js';
import { Ignore } from '../errors/task-control.js';
import { ConfigurationError } from '../errors/task-errors.js';
import { toDict } from '../producer/option-names.js';
import type { TaskRequest } from '../protocol/task-message.js';

export const ACCUMULATE = 'celery.accumulate';

export async function replaceTask(canvas: CanvasContext, req: TaskRequest, replacement: unknown): Promise<never> {
  let sig = toDict(replacement);
  if (!sig) throw new ConfigurationError('replace() needs a signature');
  if (sig.options.chord !== undefined) throw new ConfigurationError('A signature replacing a task must not be part of a chord');
  if (sig.subtask_type === 'chain' && listed(sig).length === 0) throw new ConfigurationError('Cannot replace with an empty chain');
  // a replacement whose result is a group (a group, or a chain or chord ending in one) gets
  // `| celery.accumulate.s(index=0)`: one task then holds the list under this task's id
  if (sig.subtask_type === 'group') sig = makeChord(sig, accumulate(0));
  else if (returnsGroup(sig)) sig = { task: 'celery.chain', args: [], kwargs: { tasks: [sig, accumulate(0)] }, options: {}, subtask_type: 'chain', immutable: false };
  for (const cb of req.embed.callbacks ?? []) sig = linkTo(sig, 'link', cb);
  for (const eb of req.embed.errbacks ?? []) sig = linkTo(sig, 'link_error', eb);
  // this task's id (and reply queue, so rpc callers see the outcome too) go to the replacement
  sig = freeze(sig, { taskId: req.id, ...(req.replyTo ? { replyTo: req.replyTo } : {}) }).sig;
  const nesting = typeof req.headers.replaced_task_nesting === 'number' ? req.headers.replaced_task_nesting : 0;
  sig = {
    ...sig,
    options: {
      ...sig.options, chord: req.embed.chord, group_id: req.group, group_index: req.groupIndex, root_id: req.rootId, replaced_task_nesting: nesting + 1,
    },
  };
  const rest = [...(req.embed.chain ?? [])].reverse();
  const whole: SignatureDict = rest.length === 0 ? sig
    : { task: 'celery.chain', args: [], kwargs: { tasks: [sig, ...rest] }, options: {}, subtask_type: 'chain', immutable: false };
  await applySignatureDict(canvas, whole, { options: { parentId: req.id, rootId: req.rootId } });
  throw new Ignore('Replaced by new task');
}

function returnsGroup(sig: SignatureDict): boolean {
  if (sig.subtask_type === 'group') return true;
  if (sig.subtask_type === 'chain') return returnsGroup(chainSteps(sig).at(-1)!);
  if (sig.subtask_type === 'chord') return returnsGroup(chordParts(sig).body);
  return false;
}

/** `celery.accumulate.s(index=i)`: returns its i-th argument (all of them without an index). */
function accumulate(index: number): SignatureDict {
  return { task: ACCUMULATE, args: [], kwargs: { index }, options: {}, subtask_type: null, immutable: false };
}
