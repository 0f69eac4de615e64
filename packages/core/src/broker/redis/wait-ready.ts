import type { Redis } from 'ioredis';

/**
 * Waits until an ioredis client is ready; after `timeoutMs`, or when it gives up reconnecting,
 * disconnects it and rejects with the error `explain` builds (the last connection error).
 */
export async function waitReady(client: Redis, timeoutMs: number, explain: (timeoutMs: number) => Error): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(), timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const fail = () => {
      cleanup();
      client.disconnect();
      reject(explain(timeoutMs));
    };
    const onEnd = () => fail();
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
    };
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}
