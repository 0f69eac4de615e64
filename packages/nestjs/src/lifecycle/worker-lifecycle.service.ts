/**
 * Runs the worker (and beat) with the Nest application:
 * - `onModuleInit`: registers the `@Task` methods (API-only processes too, so task options
 *   such as `queue` route what they send);
 * - `onApplicationBootstrap`: starts the worker unless `worker: false`, then beat if enabled;
 * - `onModuleDestroy`: stops beat, then drains the worker (running tasks finish, within
 *   `shutdownTimeout`; what did not start goes back to the queue);
 * - `onApplicationShutdown`: closes the app, after the HTTP server, unless it was passed in.
 * Nest runs the shutdown hooks on `app.close()` or, with `app.enableShutdownHooks()`, on SIGTERM.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigurationError, toError, type CeleriacApp, type Worker } from '@celeriac/core';
import type { BeatEntry, BeatLike, BeatLoader } from '../beat/beat-loader.js';
import { CELERIAC_APP, CELERIAC_BEAT_LOADER } from '../celeriac.constants.js';
import { CELERIAC_MODULE_OPTIONS } from '../celeriac.module-definition.js';
import { TaskExplorer, type Discovery } from '../discovery/task-explorer.js';
import type { CeleriacBeatOptions, CeleriacModuleOptions, CeleriacWorkerOptions } from '../interfaces/celeriac-module-options.interface.js';

@Injectable()
export class WorkerLifecycleService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  readonly #logger = new Logger('Celeriac');
  #discovery: Discovery | null = null;
  #worker: Worker | null = null;
  #beat: BeatLike | null = null;

  constructor(
    @Inject(CELERIAC_MODULE_OPTIONS) private readonly options: CeleriacModuleOptions,
    @Inject(CELERIAC_APP) private readonly app: CeleriacApp,
    @Inject(TaskExplorer) private readonly explorer: TaskExplorer,
    @Inject(CELERIAC_BEAT_LOADER) private readonly loadBeat: BeatLoader,
  ) {}

  /** The running worker; null in API-only processes and before bootstrap. */
  get worker(): Worker | null {
    return this.#worker;
  }

  /** What discovery found: task names, worker-event listeners, periodic entries. */
  get discovery(): Discovery | null {
    return this.#discovery;
  }

  onModuleInit(): void {
    this.#discovery ??= this.explorer.explore();
  }

  async onApplicationBootstrap(): Promise<void> {
    const discovery = this.#discovery ?? (this.#discovery = this.explorer.explore());
    // everything that can fail on configuration fails before the worker takes a message
    const startBeat = this.options.beat ? await this.#prepareBeat(this.options.beat === true ? {} : this.options.beat, discovery) : null;
    if (this.options.worker !== false) await this.#startWorker(this.options.worker ?? {}, discovery);
    if (startBeat) await startBeat();
    else if (discovery.periodic.length > 0) {
      this.#logger.log(`${discovery.periodic.length} @Periodic() entries are not scheduled here: beat runs in the process started with the option \`beat\``);
    }
  }

  async onModuleDestroy(): Promise<void> {
    const beat = this.#beat;
    this.#beat = null;
    await beat?.stop();
    const worker = this.#worker;
    if (!worker || worker.state !== 'running') return;
    this.#logger.log(`Worker ${worker.hostname} stopping: ${worker.active.size} running task(s) may take up to ${worker.options.shutdownTimeout} ms`);
    await worker.stop();
    this.#logger.log(`Worker ${worker.hostname} stopped`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.options.app) await this.app.close();
  }

  async #startWorker(options: CeleriacWorkerOptions, discovery: Discovery): Promise<void> {
    const worker = this.app.worker({ ...options, queues: this.#queues(options), handleSignals: false });
    for (const { event, listener, source } of discovery.listeners) {
      worker.events.on(event, (...args: unknown[]) => {
        try {
          const out = listener(...args);
          if (isPromiseLike(out)) out.then(undefined, (err: unknown) => worker.events.emit('error', wrapListenerError(source, err)));
        } catch (err) {
          worker.events.emit('error', wrapListenerError(source, err));
        }
      });
    }
    this.#worker = worker;
    await worker.start();
    this.#logger.log(`Worker ${worker.hostname} consuming ${worker.options.queues.join(', ')} (concurrency ${worker.options.concurrency})`);
  }

  /** Explicit queues win; otherwise the default queue plus every task's own `queue`. */
  #queues(options: CeleriacWorkerOptions): readonly string[] {
    if (options.queues && options.queues.length > 0) return options.queues;
    const queues = new Set<string>([this.app.options.defaultQueue]);
    for (const task of this.app.tasks.values()) if (task.options.queue) queues.add(task.options.queue);
    return [...queues];
  }

  async #prepareBeat(options: CeleriacBeatOptions, discovery: Discovery): Promise<() => Promise<void>> {
    const { schedule: extra = {}, ...rest } = options;
    const schedule: Record<string, unknown> = { ...extra };
    for (const { name, ...entry } of discovery.periodic) {
      if (Object.hasOwn(schedule, name)) throw new ConfigurationError(`beat entry ${JSON.stringify(name)} is declared twice`);
      schedule[name] = entry satisfies BeatEntry;
    }
    const { createBeat } = await this.loadBeat();
    return async () => {
      const beat = createBeat(this.app, { ...rest, schedule });
      await beat.start();
      this.#beat = beat;
      this.#logger.log(`Beat started with ${Object.keys(schedule).length} entries`);
    };
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function wrapListenerError(source: string, err: unknown): Error {
  const e = toError(err);
  return new Error(`@OnWorkerEvent listener ${source} failed: ${e.message}`, { cause: e });
}
