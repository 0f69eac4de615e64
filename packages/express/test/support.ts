/**
 * Test set-up shared by the unit tests (memory broker and backend) and the RabbitMQ tests:
 * an app with a few tasks, a worker that sends events, an Express server with the router.
 */
import { afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type CeleriacApp, type Worker } from '@celeriac/core';
import express, { type Express } from 'express';
import { celeriac } from '../src/middleware.js';
import { createTaskRouter, type TaskRouter, type TaskRouterOptions } from '../src/create-task-router.js';

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export function uniqueName(prefix = 'celeriac_express_test'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A switch the `tasks.flaky` task reads: it fails while `healthy` is false. */
export interface Flaky {
  healthy: boolean;
}

export interface Fixture {
  app: CeleriacApp;
  worker: Worker;
  router: TaskRouter;
  server: Express;
  flaky: Flaky;
  queue: string;
  close(): Promise<void>;
}

/** Registers the test tasks: add, echo, fail, flaky, slow, sleep (like slow, but stops when terminated). */
export function registerTasks(app: CeleriacApp, flaky: Flaky): void {
  app.task('tasks.add', (x: number, y: number) => x + y);
  app.task('tasks.echo', (...args: unknown[]) => args);
  app.task('tasks.fail', (msg: string) => {
    throw new TypeError(msg);
  });
  app.task('tasks.flaky', (n: number) => {
    if (!flaky.healthy) throw new Error(`not yet (${n})`);
    return n * 2;
  });
  app.task('tasks.slow', async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    return ms;
  });
  app.task('tasks.sleep', function (ms: number) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(ms), ms);
      this.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(this.signal.reason);
      });
    });
  });
}

export interface FixtureOptions {
  app?: AppOptions;
  router?: Partial<TaskRouterOptions>;
  /** Start the worker. @defaultValue true */
  startWorker?: boolean;
  queue?: string;
}

/** An app (memory broker and backend unless told otherwise), a worker with events, and an Express server. */
export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const queue = options.queue ?? 'celery';
  const app = createApp({ broker: 'memory://', backend: 'memory://', logger: silentLogger, defaultQueue: queue, ...options.app });
  const flaky: Flaky = { healthy: false };
  registerTasks(app, flaky);
  const worker = app.worker({ sendEvents: true, concurrency: 4, heartbeatInterval: 1, hostname: `${uniqueName('w')}@test`, queues: [queue] });
  if (options.startWorker !== false) await worker.start();
  const router = createTaskRouter({ app, auth: 'none', allow: ['tasks.*'], worker, ...options.router });
  await router.ready;
  const server = express();
  server.use(celeriac({ app }));
  server.use('/admin/tasks', router);
  return {
    app, worker, router, server, flaky, queue,
    async close() {
      await router.close();
      await worker.stop({ timeout: 1000 });
      await app.close();
    },
  };
}

/** Polls `check` until it returns a truthy value (or throws after `timeout` ms). */
export async function eventually<T>(check: () => T | Promise<T>, timeout = 5000, interval = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeout} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Listens on 127.0.0.1 on a free port. */
export async function listen(server: Express): Promise<{ url: string; close(): Promise<void> }> {
  const http: Server = await new Promise((resolve) => {
    const s = server.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      http.closeAllConnections();
      http.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}

export interface AmqpFixture extends Fixture {
  /** Names of everything the fixture declared on RabbitMQ (deleted by `close()`). */
  names: { queue: string; controlExchange: string; eventExchange: string };
}

/**
 * The fixture on the real RabbitMQ, with a unique task queue and unique control and event
 * exchanges (never the shared `celery` / `celeryev`); `close()` deletes what it declared.
 */
export async function startAmqpFixture(options: FixtureOptions & { backend: string; extraQueues?: string[] }): Promise<AmqpFixture> {
  const base = uniqueName('celeriac_express_test');
  const names = { queue: base, controlExchange: `${base}_ctl`, eventExchange: `${base}_ev` };
  const f = await startFixture({
    ...options,
    queue: names.queue,
    app: {
      broker: AMQP_URL, backend: options.backend, controlExchange: names.controlExchange, eventExchange: names.eventExchange,
      resultExpires: 600, ...options.app,
    },
  });
  const close = f.close;
  return {
    ...f,
    names,
    async close() {
      await f.router.close();
      await f.worker.stop({ timeout: 1000 });
      const broker = f.app.broker;
      const drop = async (what: () => Promise<unknown>) => {
        await what().catch(() => undefined);
      };
      for (const q of [names.queue, ...(options.extraQueues ?? [])]) {
        await drop(() => broker.deleteQueue(q));
        await drop(() => broker.deleteQueue(`${q}.dlq`));
        await drop(() => broker.deleteExchange(q));
      }
      await drop(() => broker.deleteExchange(names.eventExchange));
      await drop(() => broker.deleteExchange(`${names.controlExchange}.pidbox`));
      await drop(() => broker.deleteExchange(`reply.${names.controlExchange}.pidbox`));
      await close();
    },
  };
}

/** Fixtures started through the returned function are closed after each test. */
export function useFixtures(): (options?: FixtureOptions) => Promise<Fixture> {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.close();
  });
  return async (options) => {
    const f = await startFixture(options);
    fixtures.push(f);
    return f;
  };
}
