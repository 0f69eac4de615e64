/**
 * The sample HTTP API: `POST /reports` enqueues a report and answers 202 with where to poll,
 * `GET /reports/:id` serves its state and result, `POST /sum` does the same for a small
 * task. The Celeriac task router (Flower's REST API, health, metrics, dashboard) is mounted
 * under `/admin/tasks` behind HTTP Basic auth.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createApp, isReady, type CeleriacApp, type Worker } from '@celeriac/core';
import { celeriac, createTaskRouter, type TaskRouter } from '@celeriac/express';
import express, { type Express, type Request } from 'express';
import { registerTasks } from './tasks.js';

export interface ServerOptions {
  /** RabbitMQ URL; the memory broker when omitted. @defaultValue process.env.AMQP_URL */
  amqpUrl?: string;
  /** Result backend. @defaultValue 'memory://' on the memory broker, else process.env.RESULT_BACKEND ?? 'rpc://' */
  backend?: string;
  /** Run a worker in this process. @defaultValue true on the memory broker, else process.env.WORKER === '1' */
  worker?: boolean;
  /** Password for `/admin/tasks` (any user name). @defaultValue process.env.ADMIN_TOKEN ?? a random one */
  adminToken?: string;
  /** How long `reports.build` pretends to work. @defaultValue 500 */
  reportDelayMs?: number;
}

export interface SampleServer {
  http: Express;
  app: CeleriacApp;
  worker: Worker | null;
  router: TaskRouter;
  adminToken: string;
  close(): Promise<void>;
}

/** Builds the app, the optional worker and the Express server (not listening yet). */
export async function createServer(options: ServerOptions = {}): Promise<SampleServer> {
  const amqpUrl = options.amqpUrl ?? process.env.AMQP_URL;
  const app = createApp(amqpUrl
    ? { broker: amqpUrl, backend: options.backend ?? process.env.RESULT_BACKEND ?? 'rpc://' }
    : { broker: 'memory://', backend: options.backend ?? 'memory://' });
  const tasks = registerTasks(app, options);
  const runWorker = options.worker ?? (amqpUrl ? process.env.WORKER === '1' : true);
  const worker = runWorker ? app.worker({ sendEvents: true, concurrency: 4 }) : null;
  await app.connect();
  if (worker) await worker.start();

  const adminToken = options.adminToken ?? process.env.ADMIN_TOKEN ?? randomBytes(12).toString('base64url');
  const router = createTaskRouter({
    app,
    ...(worker ? { worker } : {}),
    allow: ['tasks.add', 'reports.build'],
    auth: (req) => basicAuthOk(req, adminToken),
  });

  const http = express();
  http.disable('x-powered-by');
  http.use(celeriac({ app }));
  http.use('/admin/tasks', router);
  http.use(express.json({ limit: '10kb' }));

  http.post('/reports', async (req, res) => {
    const userId: unknown = req.body?.userId;
    if (typeof userId !== 'string' || !/^[\w-]{1,64}$/.test(userId)) {
      res.status(400).json({ error: '"userId" must be 1-64 letters, digits, _ or -' });
      return;
    }
    const result = await tasks.buildReport.delay(userId);
    res.status(202).location(`/reports/${result.id}`).json({ id: result.id, state: 'PENDING' });
  });

  http.post('/sum', async (req, res) => {
    const { x, y } = (req.body ?? {}) as { x?: unknown; y?: unknown };
    if (typeof x !== 'number' || typeof y !== 'number') {
      res.status(400).json({ error: '"x" and "y" must be numbers' });
      return;
    }
    // any task by name works too, through the app the middleware put on the request
    const result = await req.celeriac.sendTask<number>('tasks.add', [x, y]);
    res.status(202).location(`/reports/${result.id}`).json({ id: result.id, state: 'PENDING' });
  });

  http.get('/reports/:id', async (req, res) => {
    if (!/^[\w-]{1,64}$/.test(req.params.id)) {
      res.status(400).json({ error: 'invalid id' });
      return;
    }
    const info = await req.celeriac.asyncResult(req.params.id).info();
    const state = info?.status ?? 'PENDING';
    res.json({ id: req.params.id, state, ...(info && isReady(state) ? { result: info.result } : {}) });
  });

  return {
    http, app, worker, router, adminToken,
    async close() {
      await router.close();
      await worker?.stop();
      await app.close();
    },
  };
}

/** HTTP Basic auth with any user name and the admin token as password; asks browsers to prompt. */
function basicAuthOk(req: Request, token: string): boolean {
  const header = req.get('authorization') ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  const password = match ? Buffer.from(match[1]!, 'base64').toString('utf8').split(':').slice(1).join(':') : '';
  const a = Buffer.from(password);
  const b = Buffer.from(token);
  const ok = a.length === b.length && timingSafeEqual(a, b);
  if (!ok) req.res?.set('WWW-Authenticate', 'Basic realm="celeriac", charset="UTF-8"');
  return ok;
}
