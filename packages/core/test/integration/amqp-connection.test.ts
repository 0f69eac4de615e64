/**
 * The AMQP connection on the real RabbitMQ (3.10 here): Celery's `;`-separated broker lists,
 * passwords kept out of every message, connection loss logged at warn and counted, and a
 * consumer the server cancels (as RabbitMQ 4.3 does on a consumer timeout; here by deleting
 * the queue) consumed again on the same channel.
 */
import { createServer, Socket, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AmqpBroker, ConfigurationError, createApp, type Delivery } from '../../src/index.js';
import { AMQP_URL, unique, until } from '../helpers/env.js';

const target = new URL(AMQP_URL);

/** A TCP proxy to RabbitMQ whose connections a test can cut. */
async function proxy(): Promise<{ url: (user: string, password: string) => string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(Number(target.port || 5672), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (user, password) => `amqp://${user}:${password}@127.0.0.1:${port}`,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const logs = () => {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { lines, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } };
};

describe('broker URLs', () => {
  const user = target.username || 'guest';
  const password = target.password || 'guest';
  const good = `amqp://${user}:${password}@${target.host}`;

  it("connects with Celery's amqp://a;amqp://b form, failing over past a node that is down", async () => {
    const app = createApp({ broker: `amqp://nobody:Sup3rSecret@127.0.0.1:1;${good}`, backend: null, logger: logs().logger, amqp: { connectTimeoutMs: 20_000 } });
    await app.connect();
    expect(app.broker.state).toBe('ready');
    expect(app.broker.displayUrl).toBe(`amqp://nobody:***@127.0.0.1:1;amqp://${user}:***@${target.host}`);
    await app.close();
  });

  it('never shows a password of any URL in the list, in the error or its cause', async () => {
    const app = createApp({ broker: ['amqp://alice:Pa55-one@127.0.0.1:1;amqp://bob:Pa55%2Ftwo@127.0.0.1:2'], backend: null, logger: logs().logger, amqp: { connectTimeoutMs: 600 } });
    const err = await app.connect().then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/^cannot connect to the broker at amqp:\/\/alice:\*\*\*@127\.0\.0\.1:1;amqp:\/\/bob:\*\*\*@127\.0\.0\.1:2/);
    const everything = `${err?.message} ${String((err?.cause as Error | undefined)?.message)} ${app.broker.displayUrl}`;
    for (const secret of ['Pa55-one', 'Pa55%2Ftwo', 'Pa55/two']) expect(everything).not.toContain(secret);
    await app.close();
  });

  it('refuses a frameMax below 8192 (RabbitMQ 4.1 does) when the broker is created, and asks for 131072 otherwise', () => {
    expect(() => new AmqpBroker({ url: `${good}?frameMax=4096` })).toThrow(ConfigurationError);
    expect(() => new AmqpBroker({ url: `${good}?frameMax=4096` })).toThrow(/frameMax=4096 .* below 8192/);
    expect(() => new AmqpBroker({ url: `${good}?frameMax=8192` })).not.toThrow();
  });
});

describe('connection loss', () => {
  let p: Awaited<ReturnType<typeof proxy>> | undefined;
  afterAll(async () => p?.close());

  it('is logged at warn with the reason and no password, counted, and recovered from', async () => {
    p = await proxy();
    const { lines, logger } = logs();
    const secretUrl = p.url(target.username || 'guest', target.password || 'guest');
    const app = createApp({ broker: secretUrl, backend: null, logger, amqp: { reconnectBaseMs: 50, reconnectMaxMs: 200 } });
    await app.connect();
    p.cut();
    await until(() => app.broker.stats!().reconnects === 1, 15_000);
    const stats = app.broker.stats!();
    expect(stats).toMatchObject({ disconnects: 1, reconnects: 1 });
    expect(stats.lastDisconnectReason).toEqual(expect.any(String));
    const warned = lines.filter((l) => l.startsWith('warn broker:'));
    expect(warned[0]).toMatch(/^warn broker: connection to amqp:\/\/[^:]+:\*\*\*@127\.0\.0\.1:\d+ lost \(.+\); reconnecting$/);
    expect(warned.at(-1)).toMatch(/^warn broker: reconnected after \d+ attempts? \(\d+\.\d s offline\)$/);
    if ((target.password || 'guest').length >= 4) for (const l of lines) expect(l).not.toContain(`:${target.password || 'guest'}@`);
    await app.close();
  });
});

describe('a consumer the server cancels', () => {
  it('is consumed again on the same channel: deliveries held from before can still be acked, and nothing stalls', async () => {
    const broker = new AmqpBroker({ url: AMQP_URL });
    const other = new AmqpBroker({ url: AMQP_URL });
    const [qa, qb] = [unique('cancel_a'), unique('cancel_b')];
    const send = (queue: string, text: string) => broker.publish({ exchange: '', routingKey: queue }, {
      body: Buffer.from(text), properties: { contentType: 'text/plain', contentEncoding: 'utf-8', headers: {} },
    });
    try {
      for (const name of [qa, qb]) await broker.declareQueue({ name, durable: true, autoDelete: false });
      const cancelled: string[] = [];
      broker.events.on('consumer-cancelled', (q) => cancelled.push(q));
      const got: Delivery[] = [];
      const sub = await broker.consume([qa, qb], (d) => got.push(d), { prefetch: 10 });
      await send(qb, 'held');
      await until(() => got.length === 1);
      await other.deleteQueue(qa); // RabbitMQ sends basic.cancel to our consumer of qa
      await until(() => broker.stats().consumerCancels === 1, 10_000);
      expect(cancelled).toEqual([qa]);
      await until(async () => (await other.inspectQueue(qa))?.consumerCount === 1, 10_000); // declared and consumed again
      await send(qa, 'after');
      await until(() => got.length === 2, 10_000);
      expect(got.map((d) => d.body.toString())).toEqual(['held', 'after']);
      got[0]!.ack(); // the channel is the same one: the held delivery settles normally
      got[1]!.ack();
      expect(sub.active).toBe(true);
      await send(qb, 'still');
      await until(() => got.length === 3, 10_000);
      got[2]!.ack();
      expect(await other.inspectQueue(qb)).toMatchObject({ messageCount: 0 });
      await sub.cancel();
    } finally {
      for (const name of [qa, qb]) await other.deleteQueue(name).catch(() => undefined);
      await broker.close();
      await other.close();
    }
  });
});
