/**
 * The `threads` and `processes` pools: one child per slot, one task per child at a time, as
 * Celery's prefork pool. The worker's event loop only passes messages, so heartbeats, acks and
 * remote control keep flowing whatever a task computes.
 *
 * Our own small pool rather than piscina or tinypool: a worker needs, on the same code path for
 * threads and processes, to kill the child of one given task (hard limit, revoke --terminate)
 * and tell why it died, to hear a task's `updateState()` / `replace()` calls while it runs, to
 * recycle a child after N tasks or over a memory line measured after each task, and to grow and
 * shrink at run time (autoscale). piscina has no child processes and no recycling after N tasks;
 * tinypool cannot resize a running pool or count tasks per child; both would still need the
 * message channel and the exit accounting below.
 */
import { Ignore } from '../../errors/task-control.js';
import { ConfigurationError, TimeLimitExceededError } from '../../errors/task-errors.js';
import { toError } from '../../errors/base-error.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import type { RegisteredTask } from '../../registry/task.js';
import { logText } from '../../util/log-text.js';
import type { Logger } from '../../util/logger.js';
import { timeLimitError, type RunEnv } from '../run-task.js';
import { workerLostError } from '../settlement.js';
import { spawnChild, type ChildHandle } from './child-handle.js';
import { fromWireError, fromWireOutcome, toWireError, type FromChild, type PoolJob } from './pool-wire.js';
import type { PoolOutcome, PoolStats, TaskPool } from './task-pool.js';

export interface ChildPoolOptions {
  kind: 'threads' | 'processes';
  size: number;
  /** The `pool-child.js` entry. */
  entry: string;
  /** Module (path or file URL) that exports the app, imported by each child. */
  module: string;
  exportName: string;
  /** Recycle a child after this many tasks. null: never. */
  maxTasksPerChild: number | null;
  /** Recycle a child whose memory (KiB; RSS for a process, V8 heap for a thread) is over this after a task. null: never. */
  maxMemoryPerChild: number | null;
  /** Names every child must know (the tasks registered in the worker's app, read when a child is ready). */
  tasks(): readonly string[];
  logger: Logger;
}

interface Job {
  jobId: number;
  taskId: string;
  name: string;
  env: RunEnv;
  started: number;
  resolve(outcome: PoolOutcome): void;
  hardTimer?: NodeJS.Timeout;
  /** Why the worker killed the child, if it did. */
  killed?: { reason: 'timelimit'; seconds: number } | { reason: 'revoked' } | { reason: 'shutdown' };
  /** An exception the child could not catch, reported before it exited. */
  uncaught?: Error;
}

interface Slot {
  handle: ChildHandle;
  state: 'starting' | 'idle' | 'busy' | 'leaving';
  tasks: number;
  job: Job | null;
  ready: Promise<void>;
  exited: Promise<void>;
}

/** Wait before starting a child again after one died before it was ready (doubling, capped). */
const RESPAWN_BASE_MS = 500;
const RESPAWN_MAX_MS = 30_000;
/** A child asked to leave that has not left after this long is killed. */
const LEAVE_TIMEOUT_MS = 10_000;

export class ChildPool implements TaskPool {
  readonly kind: 'threads' | 'processes';
  readonly #slots = new Set<Slot>();
  readonly #waiters: ((slot: Slot) => void)[] = [];
  #size: number;
  #nextJob = 0;
  #closing = false;
  #startFailures = 0;
  #respawnTimer: NodeJS.Timeout | null = null;
  readonly #count = { started: 0, recycled: 0, lost: 0, killed: 0 };

  constructor(private readonly o: ChildPoolOptions) {
    this.kind = o.kind;
    this.#size = Math.max(1, Math.floor(o.size));
  }

  get size(): number {
    return this.#size;
  }

  /** Starts the children and waits until each has loaded the tasks module. */
  async start(): Promise<void> {
    const slots = Array.from({ length: this.#size }, () => this.#spawn());
    await Promise.all(slots.map((s) => s.ready));
  }

  async run(task: RegisteredTask, req: TaskRequest, env: RunEnv): Promise<PoolOutcome> {
    const slot = await this.#acquire();
    return new Promise<PoolOutcome>((resolve) => {
      const job: Job = { jobId: ++this.#nextJob, taskId: req.id, name: req.name, env, started: performance.now(), resolve };
      slot.job = job;
      // own fields only: the lazy reprs on the request's prototype are rebuilt in the child
      const msg: PoolJob = { jobId: job.jobId, req: { ...req }, hostname: env.hostname, deliveryInfo: env.deliveryInfo, softTimeLimit: env.limits.soft };
      try {
        slot.handle.send({ type: 'run', job: msg });
      } catch (err) {
        // arguments the structured clone algorithm refuses cannot come from a decoded message; say so anyway
        slot.job = null;
        this.#release(slot);
        resolve({ kind: 'failure', error: toError(err), runtime: 0 });
        return;
      }
      const hard = env.limits.hard;
      if (hard !== null) {
        job.hardTimer = setTimeout(() => {
          this.o.logger.error(`Hard time limit (${hard}s) exceeded for ${logText(job.name)}[${logText(job.taskId)}]`);
          job.killed = { reason: 'timelimit', seconds: hard };
          slot.handle.kill('SIGKILL');
        }, hard * 1000);
      }
    });
  }

  terminate(taskId: string, signal: NodeJS.Signals): boolean {
    for (const slot of this.#slots) {
      if (slot.job?.taskId !== taskId) continue;
      slot.job.killed = { reason: 'revoked' };
      slot.handle.kill(signal);
      // a process may ignore a polite signal: it is killed outright a little later
      const timer = setTimeout(() => slot.handle.kill('SIGKILL'), LEAVE_TIMEOUT_MS);
      void slot.exited.then(() => clearTimeout(timer));
      return true;
    }
    return false;
  }

  resize(size: number): void {
    this.#size = Math.max(1, Math.floor(size));
    // surplus idle children leave now, busy ones when their task ends
    for (const slot of this.#slots) if (this.#live() > this.#size && slot.state === 'idle') this.#retire(slot, 'the pool shrank');
    this.#maintain();
  }

  stats(): PoolStats {
    const live = [...this.#slots].filter((s) => s.state !== 'leaving');
    return {
      implementation: this.kind, size: this.#size, busy: live.filter((s) => s.state === 'busy').length, processes: live.map((s) => s.handle.id), ...this.#count,
    };
  }

  async close(force: boolean): Promise<void> {
    this.#closing = true;
    if (this.#respawnTimer) clearTimeout(this.#respawnTimer);
    const exits = [...this.#slots].map((s) => s.exited);
    for (const slot of this.#slots) {
      if (force || slot.job || slot.state === 'starting') {
        if (slot.job) slot.job.killed = { reason: 'shutdown' };
        slot.handle.kill('SIGKILL');
      } else this.#retire(slot, null);
    }
    await Promise.all(exits);
  }

  #live(): number {
    let n = 0;
    for (const s of this.#slots) if (s.state !== 'leaving') n++;
    return n;
  }

  #maintain(): void {
    if (this.#closing || this.#respawnTimer) return;
    while (this.#live() < this.#size) this.#spawn();
  }

  #acquire(): Promise<Slot> {
    for (const slot of this.#slots) {
      if (slot.state === 'idle') {
        slot.state = 'busy';
        return Promise.resolve(slot);
      }
    }
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#maintain();
    });
  }

  /** A child is free: give it to a waiting run, or keep it idle. */
  #release(slot: Slot): void {
    if (this.#closing) return this.#retire(slot, null);
    if (this.#live() > this.#size) return this.#retire(slot, 'the pool shrank');
    const waiter = this.#waiters.shift();
    slot.state = waiter ? 'busy' : 'idle';
    waiter?.(slot);
  }

  #retire(slot: Slot, why: string | null): void {
    if (slot.state === 'leaving') return;
    slot.state = 'leaving';
    if (why) this.o.logger.info(`pool: ${this.#what(slot)} leaves: ${why}`);
    slot.handle.send({ type: 'exit' });
    const timer = setTimeout(() => slot.handle.kill('SIGKILL'), LEAVE_TIMEOUT_MS);
    void slot.exited.then(() => clearTimeout(timer));
    this.#maintain();
  }

  #what(slot: Slot): string {
    return `${this.kind === 'threads' ? 'thread' : 'process'} ${slot.handle.id}`;
  }

  #spawn(): Slot {
    const handle = spawnChild({ entry: this.o.entry, init: { module: this.o.module, exportName: this.o.exportName, kind: this.kind } });
    this.#count.started++;
    let ready!: () => void;
    let failed!: (err: Error) => void;
    let exited!: () => void;
    const slot: Slot = {
      handle, state: 'starting', tasks: 0, job: null,
      ready: new Promise<void>((res, rej) => ((ready = res), (failed = rej))),
      exited: new Promise<void>((res) => (exited = res)),
    };
    slot.ready.catch(() => undefined); // start() reports it; later spawns log it
    this.#slots.add(slot);
    handle.onMessage((msg) => this.#onMessage(slot, msg, ready, failed));
    handle.onExit((how) => {
      this.#slots.delete(slot);
      exited();
      if (slot.state === 'starting') {
        failed(new ConfigurationError(`pool ${this.kind}: a child exited before it loaded ${this.o.module} (${how})`));
        this.#startFailures++;
      }
      this.#ended(slot, how);
    });
    return slot;
  }

  #onMessage(slot: Slot, msg: FromChild, ready: () => void, failed: (err: Error) => void): void {
    switch (msg.type) {
      case 'ready': {
        const missing = this.o.tasks().filter((t) => !msg.tasks.includes(t));
        if (missing.length > 0) {
          failed(new ConfigurationError(`pool ${this.kind}: ${this.o.module} does not register ${missing.map((t) => JSON.stringify(t)).join(', ')} (each pool child imports it to find the tasks)`));
          slot.state = 'leaving';
          slot.handle.kill('SIGKILL');
          return;
        }
        this.#startFailures = 0;
        ready();
        this.#release(slot);
        return;
      }
      case 'load-failed':
        failed(new ConfigurationError(`pool ${this.kind}: could not load ${this.o.module}: ${msg.error.message}`));
        this.o.logger.error(`pool: ${this.#what(slot)} could not load ${logText(this.o.module)}: ${logText(msg.error.message, 500)}`);
        return;
      case 'call':
        void this.#answer(slot, msg.callId, msg.jobId, msg.call);
        return;
      case 'uncaught':
        if (slot.job && slot.job.jobId === msg.jobId) slot.job.uncaught = fromWireError(msg.error);
        else this.o.logger.error(`pool: ${this.#what(slot)}: uncaught ${logText(`${msg.error.name}: ${msg.error.message}`, 500)} outside any task; it is replaced`);
        return;
      case 'done': {
        const job = slot.job;
        if (!job || job.jobId !== msg.jobId) return;
        slot.job = null;
        slot.tasks++;
        clearTimeout(job.hardTimer);
        job.env.children.push(...msg.children);
        const o = msg.outcome;
        job.resolve(o.kind === 'unencodable' ? { kind: 'unencodable', error: fromWireError(o.error), runtime: o.runtime } : fromWireOutcome(o));
        const max = this.o.maxTasksPerChild;
        const mem = this.o.maxMemoryPerChild;
        if (max !== null && slot.tasks >= max) this.#recycle(slot, `max tasks per child reached (${slot.tasks})`);
        else if (mem !== null && msg.memoryKiB > mem) this.#recycle(slot, `memory ${msg.memoryKiB} KiB over the limit of ${mem} KiB`);
        else this.#release(slot);
        return;
      }
    }
  }

  #recycle(slot: Slot, why: string): void {
    this.#count.recycled++;
    this.#retire(slot, why);
  }

  /** `this.updateState()` / `this.replace()` from a task in a child, carried out here. */
  async #answer(slot: Slot, callId: number, jobId: number, call: Extract<FromChild, { type: 'call' }>['call']): Promise<void> {
    const job = slot.job;
    let error: Error | null = null;
    try {
      if (!job || job.jobId !== jobId) throw new Error('the task is no longer running');
      if (call.method === 'updateState') await job.env.updateState(call.state, call.meta);
      else await job.env.replace(call.sig);
    } catch (err) {
      // replace() ends by throwing Ignore once the replacement is sent: that is its success
      if (!(err instanceof Ignore)) error = toError(err);
    }
    slot.handle.send({ type: 'reply', callId, error: error ? toWireError(error) : null });
  }

  /** A child is gone: settle its task, and start another if the pool is short. */
  #ended(slot: Slot, how: string): void {
    const job = slot.job;
    if (job) {
      clearTimeout(job.hardTimer);
      const runtime = (performance.now() - job.started) / 1000;
      const k = job.killed;
      if (k?.reason === 'timelimit') job.resolve({ kind: 'failure', error: timeLimitError(new TimeLimitExceededError(k.seconds)), runtime });
      else if (k?.reason === 'revoked') job.resolve({ kind: 'failure', error: Object.assign(new Error('terminated'), { name: 'TaskRevokedError' }), runtime });
      else if (k?.reason === 'shutdown') job.resolve({ kind: 'aborted', runtime });
      else if (job.uncaught) job.resolve({ kind: 'failure', error: job.uncaught, runtime });
      else {
        this.o.logger.error(`Process ${this.#what(slot)} running ${logText(job.name)}[${logText(job.taskId)}] exited prematurely: ${how}`);
        job.resolve({ kind: 'lost', error: workerLostError(`Worker exited prematurely: ${how} Job: ${job.jobId}.`), runtime });
      }
      if (k && k.reason !== 'shutdown') this.#count.killed++;
      else if (!job.uncaught && !k) this.#count.lost++;
    }
    if (this.#closing) return;
    if (this.#startFailures > 0) {
      const delay = Math.min(RESPAWN_MAX_MS, RESPAWN_BASE_MS * 2 ** (this.#startFailures - 1));
      this.#respawnTimer ??= setTimeout(() => {
        this.#respawnTimer = null;
        this.#maintain();
      }, delay);
      return;
    }
    this.#maintain();
  }
}
