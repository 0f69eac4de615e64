import { afterEach, describe, it } from 'vitest';
import { AmqpBroker, RedisBackend, RpcBackend, createCodecRegistry } from '../../src/index.js';
import { runBackendConformance } from '../../src/testing/index.js';
import { AMQP_URL, REDIS_URL } from '../helpers/env.js';

const vitest = { describe, it, afterEach };

runBackendConformance(vitest, 'rpc on RabbitMQ', async () => {
  const broker = new AmqpBroker({ url: AMQP_URL });
  const backend = new RpcBackend({ broker, codecs: createCodecRegistry() });
  return { backend, close: async () => { await backend.close(); await broker.close(); } };
}, { readsOthers: false });

runBackendConformance(vitest, 'redis', async () => {
  const backend = new RedisBackend({ url: REDIS_URL, codecs: createCodecRegistry(), expiresSeconds: 600 });
  return { backend, close: () => backend.close() };
}, { readsOthers: true });
