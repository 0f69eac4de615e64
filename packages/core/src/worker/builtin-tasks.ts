/**
 * Celery's built-in tasks a worker must run for canvases Python sends: `celery.map` and
 * `celery.starmap` call a locally registered task once per item, inline, and return the list.
 */
import { NotRegisteredError } from '../errors/task-errors.js';
import { asSignatureDict } from '../canvas/signature-dict.js';
import type { RegisteredTask } from '../registry/task.js';
import type { TaskContext } from './task-context.js';

type Resolver = (name: string) => RegisteredTask | undefined;

function mapTask(name: string, star: boolean): RegisteredTask {
  return {
    name,
    options: Object.freeze({}),
    async handler(this: TaskContext & { resolveTask?: Resolver }) {
      const sig = asSignatureDict(this.kwargs.task);
      const items = this.kwargs.it;
      if (!sig || !Array.isArray(items)) throw new TypeError(`${name} needs kwargs {task, it}`);
      const inner = this.resolveTask?.(sig.task);
      if (!inner) throw new NotRegisteredError(sig.task);
      const out: unknown[] = [];
      for (const item of items) {
        const args = star ? (Array.isArray(item) ? item : [item]) : [item];
        out.push(await inner.handler.apply(this, args)); // Celery ignores the signature's own args here
      }
      return out;
    },
  };
}

export const BUILTIN_TASKS: ReadonlyMap<string, RegisteredTask> = new Map([
  ['celery.map', mapTask('celery.map', false)],
  ['celery.starmap', mapTask('celery.starmap', true)],
]);
