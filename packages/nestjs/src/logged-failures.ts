/**
 * Task runs whose error Nest's default exception filter (`ExceptionsHandler`) already logged,
 * with its stack. The worker then reports the same failure as "Task <name>[<id>] raised
 * unexpected"; the module's logger sends that second line to debug, so each failure is logged
 * once at error level. Bounded: ids whose worker line never comes (an automatic retry) age out.
 */
export class NestLoggedFailures {
  readonly #ids = new Set<string>();

  constructor(private readonly max = 1000) {}

  add(taskId: string): void {
    this.#ids.add(taskId);
    if (this.#ids.size > this.max) this.#ids.delete(this.#ids.values().next().value!);
  }

  /** True, once, when `message` is the worker's failure line for a task Nest already logged. */
  takeWorkerLine(message: string): boolean {
    const id = /^Task \S+\[([^\]]+)\] raised unexpected/.exec(message)?.[1];
    return id !== undefined && this.#ids.delete(id);
  }
}
