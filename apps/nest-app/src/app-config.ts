/** Settings from the environment, read once at start-up. */

export type Role = 'all' | 'api' | 'worker';

export class AppConfig {
  /** `all` (HTTP API and worker in one process), `api` (no consumer), `worker` (no HTTP). */
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  /** `AMQP_URL`, or the in-process memory broker when unset. */
  readonly brokerUrl: string;
  /** `RESULT_BACKEND`; rpc:// on RabbitMQ, memory:// on the memory broker. */
  readonly resultBackend: string;
  readonly queue: string;
  readonly concurrency: number;
  /** How long a stopping worker waits for running tasks, ms. */
  readonly shutdownTimeoutMs: number;

  constructor(values: Partial<AppConfig> = {}) {
    this.role = values.role ?? 'all';
    this.host = values.host ?? '127.0.0.1';
    this.port = values.port ?? 3000;
    this.brokerUrl = values.brokerUrl ?? 'memory://';
    this.resultBackend = values.resultBackend ?? (this.brokerUrl.startsWith('memory:') ? 'memory://' : 'rpc://');
    this.queue = values.queue ?? 'celery';
    this.concurrency = values.concurrency ?? 4;
    this.shutdownTimeoutMs = values.shutdownTimeoutMs ?? 30_000;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
    const role = env.ROLE ?? 'all';
    if (role !== 'all' && role !== 'api' && role !== 'worker') throw new Error(`ROLE must be all, api or worker, got ${JSON.stringify(role)}`);
    return new AppConfig({
      role,
      ...(env.HOST ? { host: env.HOST } : {}),
      ...(env.PORT ? { port: Number(env.PORT) } : {}),
      ...(env.AMQP_URL ? { brokerUrl: env.AMQP_URL } : {}),
      ...(env.RESULT_BACKEND ? { resultBackend: env.RESULT_BACKEND } : {}),
      ...(env.CELERIAC_QUEUE ? { queue: env.CELERIAC_QUEUE } : {}),
      ...(env.CONCURRENCY ? { concurrency: Number(env.CONCURRENCY) } : {}),
      ...(env.SHUTDOWN_TIMEOUT_MS ? { shutdownTimeoutMs: Number(env.SHUTDOWN_TIMEOUT_MS) } : {}),
    });
  }
}
