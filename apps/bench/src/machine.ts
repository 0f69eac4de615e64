/** Where the numbers came from: CPU, memory, OS, Node, and the broker and Redis versions as they report them. */
import { cpus, release, totalmem, type } from 'node:os';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import type { Machine } from './bench-report.js';

export async function describeMachine(amqpUrl: string, redisUrl: string): Promise<Machine> {
  const conn = await amqp.connect(amqpUrl);
  const server = conn.connection.serverProperties;
  await conn.close();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const redisVersion = await redis.connect()
    .then(() => redis.info('server'))
    .then((info) => /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown')
    .finally(() => redis.disconnect());
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.versions.node,
    os: `${type()} ${release()}`,
    rabbitmq: server.version,
    redis: redisVersion,
  };
}
