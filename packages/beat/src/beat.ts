/**
 * The Beat: waits for the leader lock, then runs the tick loop — load state, plan a tick,
 * claim each due run in the store, send it through the app's producer, sleep until the next
 * run. Losing the lock stops the loop before the next claim; getting it back starts it again
 * from a fresh read of the store, so a new leader goes on where the old one stopped.
 *
 * Runs are claimed before they are sent (as Celery updates `last_run_at` before sending): a
 * crash between the two loses that one run, it never sends it twice.
 */
import { formatCeleryDate, toError, TypedEmitter, type CeleriacApp, type Logger } from '@celeriac/core';
import type { BeatEvents, BeatRun, BeatState } from './beat-events.js';
import { resolveBeatOptions, type BeatOptions, type ResolvedBeatOptions } from './beat-options.js';
import { resolveEntry, type BeatEntry, type ResolvedEntry } from './entry.js';
import { ScheduledSendError, ScheduleConfigError } from './errors.js';
import type { ScheduleContext } from './schedules/schedule.js';
import { sameState, type EntryState } from './store/schedule-store.js';
import { planTick, type DueRun } from './tick.js';

export interface BeatEntryStatus {
  readonly name: string;
  readonly task: string;
  readonly schedule: string;
  /** Next run as last computed by the active beat (null: never again, or not active). */
  readonly nextRunAt: Date | null;
}

export class Beat {
  readonly app: CeleriacApp;
  readonly name: string;
  readonly events = new TypedEmitter<BeatEvents>();
  readonly #opts: ResolvedBeatOptions;
  readonly #log: Logger;
  readonly #entries = new Map<string, ResolvedEntry>();
  readonly #context: ScheduleContext;
  #state: BeatState = 'idle';
  #nextRunAt: ReadonlyMap<string, number | null> = new Map();
  #runAbort: AbortController | null = null;
  #run: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;

  constructor(app: CeleriacApp, options: BeatOptions = {}) {
    this.app = app;
    this.#opts = resolveBeatOptions(app, options);
    this.name = this.#opts.name;
    this.#log = this.#opts.logger;
    this.#context = Object.freeze({ timezone: this.#opts.timezone });
    for (const e of this.#opts.entries) this.#entries.set(e.name, e);
  }

  get state(): BeatState {
    return this.#state;
  }

  /** True while this beat holds the lock and sends. */
  get isActive(): boolean {
    return this.#state === 'active' && this.#opts.lock.isLeader;
  }

  /** The entries, with their next run time as the active beat last computed it. */
  entries(): BeatEntryStatus[] {
    return [...this.#entries.values()].map((e) => {
      const next = this.#nextRunAt.get(e.name);
      return { name: e.name, task: e.task, schedule: e.schedule.toString(), nextRunAt: next == null ? null : new Date(next) };
    });
  }

  /** Adds or replaces an entry (for example one declared by a decorator); an existing run state is kept. */
  addEntry(name: string, entry: BeatEntry): void {
    this.#entries.set(name, resolveEntry(name, entry, this.#opts.catchUp));
    this.#wake?.();
  }

  /** Removes an entry from the schedule (its stored state stays, and is used if it comes back). */
  removeEntry(name: string): boolean {
    const had = this.#entries.delete(name);
    this.#wake?.();
    return had;
  }

  /** Connects the app and starts campaigning for the lock; resolves without waiting to win it. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new ScheduleConfigError(`beat ${this.name} was already started (state ${this.#state}); create a new Beat to start again`);
    this.#setState('standby');
    const lock = this.#opts.lock;
    lock.events.on('acquired', this.#onAcquired);
    lock.events.on('lost', this.#onLost);
    lock.events.on('error', this.#onLockError);
    try {
      await this.app.connect();
      this.#log.info(`beat ${this.name}: ${this.#entries.size} entries, time zone ${this.#opts.timezone}, waiting for the leader lock`);
      await lock.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops sending, releases the lock (a standby beat takes over at once) and closes a store the beat created. */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    const wasActive = this.#state === 'active';
    this.#setState('stopping');
    this.#runAbort?.abort();
    this.#wake?.();
    await this.#settle();
    const lock = this.#opts.lock;
    try {
      await lock.stop();
    } finally {
      lock.events.off('acquired', this.#onAcquired);
      lock.events.off('lost', this.#onLost);
      lock.events.off('error', this.#onLockError);
      if (this.#opts.ownsStore) await this.#opts.store.close().catch((err: unknown) => this.#error(err));
      if (wasActive) this.events.emit('standby', 'stopped');
      this.#setState('stopped');
    }
  }

  readonly #onAcquired = (): void => {
    if (this.#state !== 'standby') return;
    const previous = this.#run;
    const abort = new AbortController();
    this.#runAbort = abort;
    this.#run = (async () => {
      await previous; // a loop from an earlier term finishes first
      if (abort.signal.aborted || this.#state !== 'standby') return;
      this.#setState('active');
      this.#log.info(`beat ${this.name}: leader, sending`);
      this.events.emit('active');
      await this.#loop(abort.signal);
    })();
  };

  readonly #onLost = (reason: string): void => {
    this.#runAbort?.abort();
    this.#wake?.();
    if (this.#state !== 'active') return;
    this.#setState('standby');
    this.#log.warn(`beat ${this.name}: not leader any more (${reason}), standing by`);
    this.events.emit('standby', reason);
  };

  readonly #onLockError = (err: Error): void => {
    this.#error(err);
  };

  async #loop(signal: AbortSignal): Promise<void> {
    const { store, now, maxIntervalMs, errorRetryMs } = this.#opts;
    const activeSince = now();
    let states: Map<string, EntryState> | null = null;
    let conflicts = 0;
    while (this.#mayAct(signal)) {
      try {
        states ??= await store.load();
        const plan = planTick({ entries: [...this.#entries.values()], states, now: now(), activeSince, maxSleepMs: maxIntervalMs, context: this.#context });
        this.#nextRunAt = plan.nextRunAt;
        let conflict = false;
        for (const f of plan.fresh) {
          if (!this.#mayAct(signal)) return;
          if (await store.claim(f.name, undefined, f.state)) states.set(f.name, f.state);
          else conflict = true;
        }
        for (const run of plan.due) {
          if (!this.#mayAct(signal)) return;
          if (!sameState(states.get(run.name), run.prev) || !(await store.claim(run.name, run.prev, run.next))) {
            conflict = true; // another beat moved this entry on: read the store again
            continue;
          }
          states.set(run.name, run.next);
          const entry = this.#entries.get(run.name);
          if (entry) await this.#act(entry, run);
        }
        if (conflict) {
          states = null;
          if (++conflicts >= 3) await this.#sleep(errorRetryMs, signal);
          continue;
        }
        conflicts = 0;
        if (plan.due.length === 0) await this.#sleep(plan.sleepMs, signal);
      } catch (err) {
        this.#error(err);
        states = null;
        await this.#sleep(errorRetryMs, signal);
      }
    }
  }

  async #act(entry: ResolvedEntry, run: DueRun): Promise<void> {
    const info: BeatRun = { entry: entry.name, task: entry.task, scheduledAt: new Date(run.scheduledAt), missed: run.missed };
    if (run.action === 'skip') {
      this.#log.info(`beat ${this.name}: skipping missed run of ${entry.name} (${entry.task}) scheduled at ${info.scheduledAt.toISOString()}`);
      this.events.emit('skipped', info);
      return;
    }
    const options = this.#opts.runHeaders
      ? { ...entry.options, headers: { ...(entry.options.headers ?? {}), celeriac_beat_entry: entry.name, celeriac_beat_scheduled_at: formatCeleryDate(info.scheduledAt) } }
      : entry.options;
    try {
      const result = await this.app.sendTask(entry.task, entry.args, { ...entry.kwargs }, options);
      this.#log.info(`Scheduler: Sending due task ${entry.name} (${entry.task})`, { id: result.id, scheduledAt: info.scheduledAt.toISOString(), ...(run.missed ? { missed: true } : {}) });
      this.events.emit('sent', { ...info, taskId: result.id });
    } catch (err) {
      this.#error(new ScheduledSendError(entry.name, `sending ${entry.name} (${entry.task}) failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  /** Waits for the loop to finish its current send, at most `stopTimeoutMs`. */
  async #settle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.#opts.stopTimeoutMs);
    });
    const late = await Promise.race([this.#run.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) this.#log.warn(`beat ${this.name}: a send still waits for the broker after ${this.#opts.stopTimeoutMs} ms; stopping anyway`);
  }

  #mayAct(signal: AbortSignal): boolean {
    return !signal.aborted && this.#state === 'active' && this.#opts.lock.isLeader;
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  /** Logged, and emitted as 'error' when someone listens (the emitter would print it a second time). */
  #error(err: unknown): void {
    const error = toError(err);
    this.#log.error(`beat ${this.name}: ${error.message}`);
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
  }

  #setState(next: BeatState): void {
    const previous = this.#state;
    if (previous === next) return;
    this.#state = next;
    this.events.emit('state', next, previous);
  }
}

/** Builds a Beat on an app: `export const beat = createBeat(app, { schedule: {...} })`. */
export function createBeat(app: CeleriacApp, options: BeatOptions = {}): Beat {
  return new Beat(app, options);
}
