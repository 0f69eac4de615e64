import { afterEach, describe, it } from 'vitest';
import { MemoryBackend, MemoryBroker, RpcBackend, createCodecRegistry } from '../../src/index.js';
import { runBackendConformance } from '../../src/testing/index.js';

const vitest = { describe, it, afterEach };

runBackendConformance(vitest, 'memory', async () => {
  const backend = new MemoryBackend();
  return { backend, close: () => backend.close() };
}, { readsOthers: true });

runBackendConformance(vitest, 'rpc on the memory broker', async () => {
  const broker = new MemoryBroker();
  const backend = new RpcBackend({ broker, codecs: createCodecRegistry() });
  return { backend, close: async () => { await backend.close(); await broker.close(); } };
}, { readsOthers: false });
