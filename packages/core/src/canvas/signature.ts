/**
 * A signature: a task call frozen as data (name, arguments, options) that can be sent later,
 * passed to another task as a callback, or composed with chain / group / chord. It serialises
 * to exactly Celery's dict shape, so Python workers can apply it too.
 */
import type { AsyncResult } from '../result/async-result.js';
import type { ApplyOptions } from '../producer/apply-options.js';
import type { SignatureDict } from './signature-dict.js';

/** What a signature needs from its app to be sent. */
export interface SignatureSender {
  applySignature(sig: SignatureDict, call?: { args?: unknown[]; kwargs?: Record<string, unknown>; options?: ApplyOptions }): Promise<AsyncResult<unknown>>;
}

export class Signature<R = unknown> {
  readonly task: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** Celery's option names (`queue`, `task_id`, `link`, `countdown`...), as they go on the wire. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly subtaskType: SignatureDict['subtask_type'];
  readonly immutable: boolean;
  readonly #sender: SignatureSender;

  constructor(sender: SignatureSender, init: {
    task: string;
    args?: readonly unknown[];
    kwargs?: Record<string, unknown>;
    options?: Record<string, unknown>;
    subtaskType?: SignatureDict['subtask_type'];
    immutable?: boolean;
  }) {
    this.#sender = sender;
    this.task = init.task;
    this.args = init.args ?? [];
    this.kwargs = init.kwargs ?? {};
    this.options = init.options ?? {};
    this.subtaskType = init.subtaskType ?? null;
    this.immutable = init.immutable ?? false;
  }

  static fromDict(sender: SignatureSender, dict: SignatureDict): Signature {
    return new Signature(sender, {
      task: dict.task, args: dict.args, kwargs: dict.kwargs, options: dict.options, subtaskType: dict.subtask_type, immutable: dict.immutable,
    });
  }

  /** @internal */
  get sender(): SignatureSender {
    return this.#sender;
  }

  toDict(): SignatureDict {
    return {
      task: this.task,
      args: [...this.args],
      kwargs: { ...this.kwargs },
      options: { ...this.options },
      subtask_type: this.subtaskType,
      immutable: this.immutable,
    };
  }

  toJSON(): SignatureDict {
    return this.toDict();
  }

  /** A copy with more options (Celery's `sig.set(queue='x')`). Keys use Celery's names or ApplyOptions names. */
  set(options: ApplyOptions | Record<string, unknown>): Signature<R> {
    return this.#with({ options: { ...this.options, ...toWireOptions(options as Record<string, unknown>) } });
  }

  /** Adds a success callback. */
  link(callback: Signature): Signature<R> {
    return this.#appendOption('link', callback.toDict());
  }

  /** Adds an error callback. */
  linkError(errback: Signature): Signature<R> {
    return this.#appendOption('link_error', errback.toDict());
  }

  /** Sends the task with these extra (prepended) arguments, unless the signature is immutable. */
  delay(...args: unknown[]): Promise<AsyncResult<R>> {
    return this.applyAsync(args);
  }

  applyAsync(args: readonly unknown[] = [], options: ApplyOptions = {}): Promise<AsyncResult<R>> {
    const { kwargs, ...rest } = options;
    return this.#sender.applySignature(this.toDict(), { args: [...args], ...(kwargs ? { kwargs } : {}), options: rest }) as Promise<AsyncResult<R>>;
  }

  #appendOption(key: 'link' | 'link_error', dict: SignatureDict): Signature<R> {
    const current = this.options[key];
    const list = Array.isArray(current) ? [...current] : current ? [current] : [];
    return this.#with({ options: { ...this.options, [key]: [...list, dict] } });
  }

  #with(change: { options?: Record<string, unknown> }): Signature<R> {
    return new Signature<R>(this.#sender, {
      task: this.task, args: this.args, kwargs: { ...this.kwargs }, options: change.options ?? { ...this.options },
      subtaskType: this.subtaskType, immutable: this.immutable,
    });
  }
}

const OPTION_NAMES: Record<string, string> = {
  taskId: 'task_id', routingKey: 'routing_key', timeLimit: 'time_limit', softTimeLimit: 'soft_time_limit',
  ignoreResult: 'ignore_result', linkError: 'link_error', replyTo: 'reply_to', groupId: 'group_id', groupIndex: 'group_index',
  rootId: 'root_id', parentId: 'parent_id',
};

/** ApplyOptions (camelCase) → Celery's option names. Signatures inside are turned into dicts. */
export function toWireOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    const key = OPTION_NAMES[k] ?? k;
    out[key] = v instanceof Signature ? v.toDict()
      : Array.isArray(v) ? v.map((x: unknown) => (x instanceof Signature ? x.toDict() : x))
        : v instanceof Date ? v.toISOString() : v;
  }
  return out;
}
