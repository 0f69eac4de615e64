/** Where the numbers came from: CPU, memory, OS, load, Node, and the versions of the broker, Redis and the peers. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import type { Machine } from './bench-report.js';

export async function describeMachine(amqpUrl: string, redisUrl: string, celery: string): Promise<Machine> {
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
    bullmq: packageVersion('bullmq'),
    celery,
    loadavg: { start: loadavg(), end: [] },
  };
}

/** The version in a dependency's package.json, found above its entry point (its `exports` hide the file). */
function packageVersion(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? 'unknown';
    } catch { /* not here */ }
  }
  return 'unknown';
}
