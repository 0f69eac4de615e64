/**
 * A three-node RabbitMQ cluster on this machine (private node names and ports, started by the
 * test), quorum queues, and one node stopped during the load: nothing lost, and producer and
 * worker fail over to the other nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CeleriacApp } from '../../src/index.js';
import { unique, until } from '../helpers/env.js';
import { chaosApp, publishLoad, registerWork, report, tally } from './load.js';
import { startRabbitNode, type RabbitNode } from './rabbit-node.js';

const N = Number(process.env.CHAOS_N ?? 5000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('three-node cluster with quorum queues', () => {
  const nodes: RabbitNode[] = [];
  const apps: CeleriacApp[] = [];

  beforeAll(async () => {
    for (const [i, port] of [5701, 5702, 5703].entries()) nodes.push(await startRabbitNode({ name: `celeriac_cluster${i + 1}`, port }));
    for (const n of nodes.slice(1)) {
      await n.ctl('stop_app');
      await n.ctl('join_cluster', nodes[0]!.name);
      await n.ctl('start_app');
    }
    const status = await nodes[0]!.ctl('cluster_status', '--formatter', 'json');
    expect((JSON.parse(status) as { running_nodes: string[] }).running_nodes).toHaveLength(3);
  }, 300_000);

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    for (const n of nodes.reverse()) await n.stop();
  }, 120_000);

  it('loses nothing when the node the clients use is stopped during the load', async () => {
    const urls = nodes.map((n) => n.url);
    const q = unique('cluster');
    const t = tally('3-node cluster, quorum queue, node 1 stopped');
    const producer = chaosApp(urls, q, { quorum: true });
    const workerApp = chaosApp(urls, q, { quorum: true });
    apps.push(producer, workerApp);
    registerWork(workerApp, t);
    const worker = workerApp.worker({ concurrency: 32 });
    await worker.start();
    const reconnects: number[] = [];
    workerApp.broker.events.on('reconnected', (attempt) => reconnects.push(attempt));
    const load = publishLoad(producer, t, N, 6000);
    await sleep(2000);
    const stoppedAt = Date.now();
    await nodes[0]!.ctl('stop_app');
    await until(() => (worker.liveness().lastDeliveryAt ?? 0) > stoppedAt, 60_000, 20);
    const resume = ((worker.liveness().lastDeliveryAt ?? 0) - stoppedAt) / 1000;
    await load;
    await until(() => t.executions.size >= t.sent.size, 120_000);
    await sleep(500);
    const c = report(t, { resume_seconds: resume, worker_reconnects: reconnects.length });
    expect(c.sent).toBe(N);
    expect(c.lost).toBe(0);
    expect(reconnects.length).toBeGreaterThan(0);
    await worker.stop();
    await nodes[0]!.ctl('start_app');
  }, 300_000);
});
