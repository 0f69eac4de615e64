/** Apps on the real RabbitMQ with names unique to one test, and clean-up of everything they declared. */
import { createApp, type AppOptions, type CeleriacApp } from '../../src/index.js';
import { AMQP_URL, silent, unique } from './env.js';

export interface TestApp {
  app: CeleriacApp;
  queue: string;
  ns: string;
  cleanup(): Promise<void>;
}

export function rabbitApp(options: AppOptions & { prefix?: string } = {}): TestApp {
  const queue = options.defaultQueue ?? unique(options.prefix ?? 'q');
  const ns = options.controlExchange ?? unique('ns');
  const app = createApp({
    broker: AMQP_URL, backend: 'rpc://', logger: silent, ...options,
    defaultQueue: queue, controlExchange: ns, eventExchange: options.eventExchange ?? `${ns}_ev`,
  });
  const extraQueues: string[] = [];
  return {
    app, queue, ns,
    async cleanup() {
      const b = app.broker;
      for (const q of [queue, ...extraQueues]) {
        for (const name of [q, `${q}.dlq`]) {
          await b.deleteQueue(name).catch(() => undefined);
        }
        await b.deleteExchange(q).catch(() => undefined);
      }
      for (const x of [`${ns}.pidbox`, `reply.${ns}.pidbox`, `${ns}_ev`]) await b.deleteExchange(x).catch(() => undefined);
      await app.close();
    },
  };
}
