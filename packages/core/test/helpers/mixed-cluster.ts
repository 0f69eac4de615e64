/**
 * A Node worker and a Python worker (celeriac_canvas_tasks) on the real RabbitMQ with the redis
 * backend: a shared default queue, plus one queue per side that the routes table sends
 * `gen.node.*` / `gen.py.*` to. Everything is named after one unique prefix and removed by `stop()`.
 */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { AppOptions, CeleriacApp, Worker, WorkerOptions } from '../../src/index.js';
import { REDIS_URL, unique } from './env.js';
import { rabbitApp, type TestApp } from './rabbit-app.js';
import { drive, startPythonWorker, type PythonEnv, type PythonWorker } from './python.js';
import { registerGenTasks } from './canvas-gen.js';

export interface MixedCluster {
  app: CeleriacApp;
  nodeWorker: Worker;
  py: PythonWorker;
  env: PythonEnv;
  redis: Redis;
  queues: { def: string; node: string; py: string };
  stop(): Promise<void>;
}

export async function startMixedCluster(prefix: string, o: {
  app?: AppOptions;
  /** Queues the Node worker consumes, from the cluster's. @defaultValue ['node', 'def'] */
  nodeQueues?: ('def' | 'node')[];
  pyQueues?: ('def' | 'py')[];
  node?: WorkerOptions;
  pyArgs?: string[];
  beforeStart?: (app: CeleriacApp) => void | Promise<void>;
} = {}): Promise<MixedCluster> {
  const base = unique(prefix);
  const queues = { def: `${base}_def`, node: `${base}_node`, py: `${base}_py` };
  const t: TestApp = rabbitApp({ backend: REDIS_URL, ...o.app, defaultQueue: queues.def, controlExchange: base, routes: { 'gen.node.*': queues.node, 'gen.py.*': queues.py } });
  const app = t.app;
  const redis = new Redis(REDIS_URL);
  registerGenTasks(app, redis);
  const env: PythonEnv = { queue: queues.def, ns: base, backend: REDIS_URL, extra: { INTEROP_APP: 'celeriac_canvas_tasks', CANVAS_NODE_QUEUE: queues.node, CANVAS_PY_QUEUE: queues.py } };
  await o.beforeStart?.(app);
  const nodeWorker = app.worker({ concurrency: 16, ...o.node, queues: (o.nodeQueues ?? ['node', 'def']).map((k) => queues[k]), hostname: `${base}_node@${hostname()}` });
  await nodeWorker.start();
  const py = await startPythonWorker(env, `${base}_py`, ['-Q', (o.pyQueues ?? ['py', 'def']).map((k) => queues[k]).join(','), ...(o.pyArgs ?? [])]);
  return {
    app, nodeWorker, py, env, redis, queues,
    async stop() {
      await py.stop();
      await nodeWorker.stop();
      await drive(env, ['cleanup', '--queue', queues.node, '--queue', queues.py]).catch(() => undefined);
      for (const name of [queues.node, queues.py, `${queues.def}.dlq`, `${queues.node}.dlq`]) {
        await app.broker.deleteQueue(name).catch(() => undefined);
        await app.broker.deleteExchange(name).catch(() => undefined);
      }
      redis.disconnect();
      await t.cleanup();
    },
  };
}
