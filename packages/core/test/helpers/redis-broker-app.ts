/**
 * Apps on a Redis broker (the shared Redis, db 9) with every kombu key under a global key
 * prefix unique to one test, so nothing shared is touched and clean-up deletes exactly that
 * prefix. `python()` gives the matching environment for the Python harness.
 */
import { Redis } from 'ioredis';
import { createApp, type AppOptions, type CeleriacApp } from '../../src/index.js';
import type { PythonEnv } from './python.js';
import { REDIS_URL, silent, unique } from './env.js';

export interface RedisBrokerTestApp {
  app: CeleriacApp;
  queue: string;
  ns: string;
  prefix: string;
  python(extra?: Record<string, string>): PythonEnv;
  cleanup(): Promise<void>;
}

/** Deletes every key under `prefix` (a prefix this test made up). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export function redisBrokerApp(options: AppOptions & { visibilityTimeout?: number; brokerUrl?: string } = {}): RedisBrokerTestApp {
  const queue = options.defaultQueue ?? unique('rb');
  const ns = options.controlExchange ?? queue;
  const prefix = `${queue}:`;
  const brokerUrl = options.brokerUrl ?? REDIS_URL;
  const { visibilityTimeout, brokerUrl: _url, ...rest } = options;
  const app = createApp({
    broker: brokerUrl, backend: REDIS_URL, logger: silent, ...rest,
    defaultQueue: queue, controlExchange: ns, eventExchange: `${ns}_ev`,
    redisBroker: { globalKeyprefix: prefix, ...(visibilityTimeout !== undefined ? { visibilityTimeout } : {}), ...(options.redisBroker ?? {}) },
  });
  return {
    app, queue, ns, prefix,
    python: (extra = {}) => ({
      queue, ns, backend: REDIS_URL,
      extra: {
        INTEROP_BROKER: brokerUrl, INTEROP_BROKER_KEYPREFIX: prefix,
        ...(visibilityTimeout !== undefined ? { INTEROP_BROKER_VISIBILITY_TIMEOUT: String(visibilityTimeout) } : {}),
        ...extra,
      },
    }),
    async cleanup() {
      await app.close().catch(() => undefined);
      await deletePrefix(brokerUrl, prefix);
    },
  };
}
