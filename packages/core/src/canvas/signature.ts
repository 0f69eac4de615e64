/**
 * A signature: a task call frozen as data (name, arguments, options) that can be sent later,
 * passed to another task as a callback, or composed with chain / group / chord. It serialises
 * to exactly Celery's dict shape, so Python workers can apply it too.
 */
import type { AsyncResult, GroupResult } from '../result/async-result.js';
import type { ApplyOptions } from '../producer/apply-options.js';
import { toWireOptions } from '../producer/option-names.js';
import { chunksToGroup, linkTo } from './apply-signature.js';
import type { SignatureDict } from './signature-dict.js';

/** What a signature needs from its app to be sent: the result of a group is a `GroupResult`. */
export interface SignatureSender {
  applySignature(sig: SignatureDict, call?: { args?: unknown[]; kwargs?: Record<string, unknown>; options?: ApplyOptions }): Promise<AsyncResult<unknown>>;
}

export interface SignatureInit {
  task: string;
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  options?: Record<string, unknown>;
  subtaskType?: SignatureDict['subtask_type'];
  immutable?: boolean;
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

  constructor(sender: SignatureSender, init: SignatureInit) {
    this.#sender = sender;
    this.task = init.task;
    this.args = init.args ?? [];
    this.kwargs = init.kwargs ?? {};
    this.options = init.options ?? {};
    this.subtaskType = init.subtaskType ?? null;
    this.immutable = init.immutable ?? false;
  }

  static fromDict(sender: SignatureSender, dict: SignatureDict): Signature {
    const init = { task: dict.task, args: dict.args, kwargs: dict.kwargs, options: dict.options, subtaskType: dict.subtask_type, immutable: dict.immutable };
    return dict.subtask_type === 'group' ? new GroupSignature(sender, init) : new Signature(sender, init);
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

  /**
   * A copy with more options (Celery's `sig.set(queue='x')`). Keys use ApplyOptions names or
   * Celery's; `kwargs` are merged into the signature's keyword arguments, not its options.
   */
  set(options: ApplyOptions | Record<string, unknown>): this {
    const { kwargs, ...rest } = options as ApplyOptions & Record<string, unknown>;
    return this.#with({
      ...(kwargs ? { kwargs: { ...this.kwargs, ...kwargs } } : {}),
      options: { ...this.options, ...toWireOptions(rest) },
    });
  }

  /**
   * Adds a success callback, where Celery adds it: a chain's last step, a chord's body, a
   * group's first member (immutable: it cannot receive the other members' results).
   */
  link(callback: Signature): this {
    return this.#from(linkTo(this.toDict(), 'link', callback.toDict()));
  }

  /** Adds an error callback: on a task or chain, on every member of a group, on a chord's body. */
  linkError(errback: Signature): this {
    return this.#from(linkTo(this.toDict(), 'link_error', errback.toDict()));
  }

  /** Sends the task with these extra (prepended) arguments, unless the signature is immutable. */
  delay(...args: unknown[]): Promise<AsyncResult<R>> {
    return this.applyAsync(args);
  }

  applyAsync(args: readonly unknown[] = [], options: ApplyOptions = {}): Promise<AsyncResult<R>> {
    return this.#sender.applySignature(this.toDict(), splitCall(args, options)) as Promise<AsyncResult<R>>;
  }

  #from(dict: SignatureDict): this {
    return this.#with({ kwargs: dict.kwargs, options: dict.options });
  }

  #with(change: { kwargs?: Record<string, unknown>; options?: Record<string, unknown> }): this {
    const Ctor = this.constructor as new (sender: SignatureSender, init: SignatureInit) => this;
    return new Ctor(this.#sender, {
      task: this.task, args: this.args, kwargs: change.kwargs ?? { ...this.kwargs }, options: change.options ?? { ...this.options },
      subtaskType: this.subtaskType, immutable: this.immutable,
    });
  }
}

/** A group (or chunks): sending it gives a `GroupResult` whose `get()` lists every member's result. */
export class GroupSignature<T extends readonly unknown[] = unknown[]> extends Signature<T> {
  override delay(...args: unknown[]): Promise<GroupResult<T>> {
    return this.applyAsync(args);
  }

  override applyAsync(args: readonly unknown[] = [], options: ApplyOptions = {}): Promise<GroupResult<T>> {
    const dict = this.task === 'celery.chunks' ? chunksToGroup(this.toDict()) : this.toDict();
    return this.sender.applySignature(dict, splitCall(args, options)) as Promise<GroupResult<T>>;
  }
}

function splitCall(args: readonly unknown[], options: ApplyOptions) {
  const { kwargs, ...rest } = options;
  return { args: [...args], ...(kwargs ? { kwargs } : {}), options: rest };
}
