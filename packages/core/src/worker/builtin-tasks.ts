/**
 * Celery's built-in tasks a worker must run for canvases Python (or Celeriac) sends:
 * - `celery.map` / `celery.starmap` call a locally registered task once per item, inline, and
 *   return the list;
 * - `celery.chunks` sends its chunks as a group of starmaps and returns that group's result tuple;
 * - `celery.accumulate` returns its `index`-th argument (all of them without one): the body
 *   `Task.replace` puts after a group.
 */
import { applySignatureDict, chunksToGroup, type CanvasContext } from '../canvas/apply-signature.js';
import { asSignatureDict } from '../canvas/signature-dict.js';
import { NotRegisteredError } from '../errors/task-errors.js';
import type { RegisteredTask } from '../registry/task.js';
import { resultTuple } from '../result/result-tuple.js';
import { currentParent, type TaskContext } from './task-context.js';
import { ACCUMULATE } from './replace.js';

export interface BuiltinEnv {
  /** A locally registered task by name. */
  resolveTask(name: string): RegisteredTask | undefined;
  canvas: CanvasContext;
}

function builtin(name: string, handler: (this: TaskContext, ...args: unknown[]) => unknown): RegisteredTask {
  return { name, options: Object.freeze({}), handler };
}

function mapTask(name: string, star: boolean, env: BuiltinEnv): RegisteredTask {
  return builtin(name, async function () {
    const sig = asSignatureDict(this.kwargs.task);
    const items = this.kwargs.it;
    if (!sig || !Array.isArray(items)) throw new TypeError(`${name} needs kwargs {task, it}`);
    const inner = env.resolveTask(sig.task);
    if (!inner) throw new NotRegisteredError(sig.task);
    const out: unknown[] = [];
    for (const item of items) {
      const args = star ? (Array.isArray(item) ? item : [item]) : [item];
      out.push(await inner.handler.apply(this, args)); // Celery ignores the signature's own args here
    }
    return out;
  });
}

export function createBuiltinTasks(env: BuiltinEnv): ReadonlyMap<string, RegisteredTask> {
  return new Map([
    ['celery.map', mapTask('celery.map', false, env)],
    ['celery.starmap', mapTask('celery.starmap', true, env)],
    ['celery.chunks', builtin('celery.chunks', async function () {
      const group = chunksToGroup({ task: 'celery.chunks', args: [], kwargs: this.kwargs, options: {}, subtask_type: null, immutable: true });
      const applied = await applySignatureDict(env.canvas, group, { options: { parentId: this.id, rootId: this.rootId } });
      currentParent()?.addChild(applied);
      return resultTuple(applied);
    })],
    [ACCUMULATE, builtin(ACCUMULATE, function (...args: unknown[]) {
      const index = this.kwargs.index;
      return typeof index === 'number' ? args.at(index) ?? null : args;
    })],
  ]);
}
