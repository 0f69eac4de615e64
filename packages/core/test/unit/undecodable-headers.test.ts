/**
 * A message whose AMQP headers cannot be read in full (a field type no peer should send, a
 * truncated table) is dead-lettered with the reason and its raw header bytes; the worker goes on.
 * The decoder marks such tables instead of throwing (which in amqplib drops the connection and
 * redelivers the same message first, for ever).
 */
import { describe, expect, it } from 'vitest';
import { createApp, MemoryBroker, type Delivery } from '../../src/index.js';
import { decodeFields } from '../../src/protocol/field-table/decode-field-table.js';
import { until } from '../helpers/env.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A header table as it arrives: `task` and `id` fine, then a value of unknown type `Z`. */
function unreadableHeaders(): { headers: Record<string, unknown>; raw: Buffer } {
  const field = (key: string, value: string) => Buffer.concat([Buffer.from([key.length]), Buffer.from(key), Buffer.from('S'), Buffer.from([0, 0, 0, value.length]), Buffer.from(value)]);
  const raw = Buffer.concat([field('task', 'tasks.add'), field('id', 'odd-1'), Buffer.from([5]), Buffer.from('x_odd'), Buffer.from('Z\x01\x02')]);
  return { headers: decodeFields(raw), raw };
}

describe('headers the decoder could not read in full', () => {
  it('dead-letter the message with the reason and the raw header bytes; the tasks behind it run', async () => {
    const broker = new MemoryBroker();
    const errors: string[] = [];
    const app = createApp({ broker, backend: 'memory://', logger: { ...silent, error: (m: string) => errors.push(m) } });
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const worker = app.worker({ queues: ['odd_q'] });
    await worker.start();
    const { headers, raw } = unreadableHeaders();
    expect(headers).toEqual({ task: 'tasks.add', id: 'odd-1' });
    await broker.publish({ exchange: '', routingKey: 'odd_q' }, {
      body: Buffer.from('[[1, 2], {}, {}]'), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers },
    });
    const r = await add.applyAsync([2, 2], { queue: 'odd_q' });
    expect(await r.get({ timeout: 2000 })).toBe(4);
    const dead: Delivery[] = [];
    await until(async () => ((await broker.inspectQueue('odd_q.dlq'))?.messageCount ?? 0) === 1);
    await broker.consume(['odd_q.dlq'], (d) => dead.push(d), { prefetch: 1 });
    await until(() => dead.length === 1);
    const h = dead[0]!.properties.headers;
    expect(h['x-celeriac-reason']).toBe('InvalidTaskMessageError: the AMQP headers could not be read: header "x_odd": unknown AMQP field type "Z" (0x5a) at byte 38');
    expect(h['x-celeriac-original-headers']).toEqual(raw);
    expect(h.id).toBe('odd-1');
    expect(errors.join('\n')).toMatch(/rejected message from odd_q \(task tasks\.add\[odd-1\]\).*unknown AMQP field type "Z"/);
    expect(worker.state).toBe('running');
    await worker.stop();
    await app.close();
  });
});
