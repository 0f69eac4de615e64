/**
 * The Redis transport's pure parts against kombu's own spelling: envelopes, key names, priority
 * steps, topic patterns (fixtures printed by kombu 5.2's TopicExchange.key_to_pattern) and URLs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openEnvelope, parseEnvelope, stringifyEnvelope, toEnvelope, markRedelivered } from '../../src/broker/redis/redis-envelope.js';
import {
  bindingMember, brpopKeys, fanoutChannel, fanoutPrefix, fanoutSubscribePattern, parseBindingMember, priorityStep, queueKeyForStep, queueOfKey, topicPattern, topicPatternMatches,
} from '../../src/broker/redis/redis-keys.js';
import { parseRedisBrokerUrl } from '../../src/broker/redis/redis-url.js';
import { topicMatches } from '../../src/broker/memory/topic-match.js';

const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('kombu envelope', () => {
  it('round-trips body bytes, headers and properties', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 200 }), fc.dictionary(fc.string(), json), fc.option(fc.uuid(), { nil: undefined }), fc.integer({ min: 0, max: 255 }), fc.string(),
      (body, headers, correlationId, priority, queue) => {
        const message = { body: Buffer.from(body), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers, priority, deliveryMode: 2 as const, ...(correlationId ? { correlationId } : {}) } };
        const env = parseEnvelope(stringifyEnvelope(toEnvelope(message, { exchange: '', routingKey: queue })))!;
        const opened = openEnvelope(env);
        expect(opened.body.equals(Buffer.from(body))).toBe(true);
        expect(opened.properties).toEqual(message.properties);
        expect(opened.routingKey).toBe(queue);
        expect(opened.redelivered).toBe(false);
      },
    ));
  });

  it('writes the fields Celery writes, with a fresh UUID delivery tag per publish', () => {
    const m = { body: Buffer.from('[[2, 3], {}, {}]'), properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 'proto.add' }, correlationId: 'c', replyTo: 'r' } };
    const a = toEnvelope(m, { exchange: 'celery', routingKey: 'celery' });
    const b = toEnvelope(m, { exchange: 'celery', routingKey: 'celery' });
    expect(a).toEqual({
      body: Buffer.from('[[2, 3], {}, {}]').toString('base64'), 'content-encoding': 'utf-8', 'content-type': 'application/json', headers: { task: 'proto.add' },
      properties: { body_encoding: 'base64', delivery_tag: a.properties.delivery_tag, delivery_info: { exchange: 'celery', routing_key: 'celery' }, delivery_mode: 2, priority: 0, correlation_id: 'c', reply_to: 'r' },
    });
    expect(a.properties.delivery_tag).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.properties.delivery_tag).not.toBe(b.properties.delivery_tag);
  });

  it('reads what Python wrote, and a restored copy is redelivered', () => {
    // captured from Celery 5.2.6 (shared celery-protocol.md §1.8)
    const text = '{"body": "W1syLCAzXSwge30sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "proto.add"}, "properties": {"correlation_id": "b4", "reply_to": "05", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "proto_probe_tasks"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "9f61de24-1b67-47bb-9ce8-ac56b0464447"}}';
    const env = parseEnvelope(text)!;
    const o = openEnvelope(env);
    expect(JSON.parse(o.body.toString())).toEqual([[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    expect(o).toMatchObject({ routingKey: 'proto_probe_tasks', exchange: '', deliveryTag: '9f61de24-1b67-47bb-9ce8-ac56b0464447', redelivered: false });
    expect(o.properties).toMatchObject({ correlationId: 'b4', replyTo: '05', deliveryMode: 2, priority: 0 });
    const again = openEnvelope(markRedelivered(env));
    expect(again.redelivered).toBe(true);
    expect(again.properties.headers.redelivered).toBe(true);
  });

  it('refuses what is not an envelope', () => {
    for (const t of ['', 'null', '[]', '{"body": "x"}', '{"properties": {}}', 'not json']) expect(parseEnvelope(t)).toBeNull();
  });
});

describe('kombu key names', () => {
  it('puts a priority in the largest step not above it, clamped to 0..9', () => {
    fc.assert(fc.property(fc.integer({ min: -50, max: 300 }), (p) => {
      const step = priorityStep(p);
      const clamped = Math.max(0, Math.min(9, p));
      expect([0, 3, 6, 9]).toContain(step);
      expect(step).toBeLessThanOrEqual(clamped);
      expect([0, 3, 6, 9].filter((s) => s <= clamped).at(-1)).toBe(step);
    }));
    expect(priorityStep(undefined)).toBe(0);
  });

  it('names priority lists `q` and `q\\x06\\x16<step>` and BRPOPs step by step, lowest first', () => {
    expect(queueKeyForStep('celery', 0)).toBe('celery');
    expect(queueKeyForStep('celery', 6)).toBe('celery\x06\x166');
    expect(brpopKeys(['a', 'b'])).toEqual(['a', 'b', 'a\x06\x163', 'b\x06\x163', 'a\x06\x166', 'b\x06\x166', 'a\x06\x169', 'b\x06\x169']);
    fc.assert(fc.property(fc.array(fc.string({ minLength: 1 }).filter((s) => !s.includes('\x06\x16')), { minLength: 1, maxLength: 5 }), (queues) => {
      for (const key of brpopKeys(queues)) expect(queues).toContain(queueOfKey(key));
    }));
  });

  it('writes binding members as kombu does', () => {
    // captured: proto_probe_tasks\x06\x16\x06\x16proto_probe_tasks
    expect(bindingMember({ routingKey: 'proto_probe_tasks', pattern: '', queue: 'proto_probe_tasks' })).toBe('proto_probe_tasks\x06\x16\x06\x16proto_probe_tasks');
    expect(parseBindingMember('oid\x06\x16\x06\x16oid.reply.celery.pidbox')).toEqual({ routingKey: 'oid', pattern: '', queue: 'oid.reply.celery.pidbox' });
    expect(parseBindingMember('junk')).toBeNull();
  });

  it('names fanout channels /<db>.<exchange>[/<routing key>] and subscribes with # as *', () => {
    const prefix = fanoutPrefix(true, 9);
    expect(fanoutChannel(prefix, 'proto_probe.pidbox', '', true)).toBe('/9.proto_probe.pidbox');
    expect(fanoutChannel(prefix, 'proto_probe_ev', 'worker.online', true)).toBe('/9.proto_probe_ev/worker.online');
    expect(fanoutChannel(prefix, 'celeryev', 'worker.online', false)).toBe('/9.celeryev');
    expect(fanoutSubscribePattern(prefix, 'celeryev', '#', true)).toBe('/9.celeryev/*');
    expect(fanoutPrefix(false, 3)).toBe('');
    expect(fanoutPrefix('/x{db}.', 3)).toBe('/x3.');
  });

  it('builds kombu\'s topic patterns and matches them as Python does', () => {
    const kombu: Record<string, string> = {
      '*.one': '^.*?[^\\.]\\.one$', 'task.#': '^task\\..*?$', 'a-b.*.c_d': '^a\\-b\\..*?[^\\.]\\.c\\_d$', '#': '^.*?$', 'x$y.z': '^x\\$y\\.z$', 'wörker.ü': '^wörker\\.ü$',
    };
    for (const [key, pattern] of Object.entries(kombu)) expect(topicPattern(key)).toBe(pattern);
    expect(topicPatternMatches(topicPattern('task.#'), 'task.one.two')).toBe(true);
    expect(topicPatternMatches(topicPattern('*.one'), 'task.one')).toBe(true);
    expect(topicPatternMatches(topicPattern('*.one'), 'task.two')).toBe(false);
    // on keys of plain words, kombu's regex agrees with AMQP for # and literal words
    const word = fc.stringMatching(/^[a-z]{1,4}$/);
    fc.assert(fc.property(fc.array(fc.oneof(word, fc.constant('#')), { minLength: 1, maxLength: 4 }), fc.array(word, { minLength: 1, maxLength: 4 }), (pat, key) => {
      const p = pat.join('.');
      const k = key.join('.');
      if (p.includes('#') && p !== '#') return; // kombu's `a.#` needs the dot; AMQP's matches `a` too
      expect(topicPatternMatches(topicPattern(p), k)).toBe(topicMatches(p, k));
    }));
  });
});

describe('Redis broker URLs', () => {
  it('reads host, db and password, and hides the password', () => {
    const u = parseRedisBrokerUrl('redis://:s3cret@cache:6380/3');
    expect(u).toMatchObject({ scheme: 'redis', db: 3, password: 's3cret', displayUrl: 'redis://:***@cache:6380/3' });
    expect(parseRedisBrokerUrl('rediss://user:pw@h/').db).toBe(0);
    expect(parseRedisBrokerUrl('redis://h?db=5').db).toBe(5);
  });

  it('reads a list of sentinels', () => {
    const u = parseRedisBrokerUrl('sentinel://:pw@s1:26379;sentinel://s2:26380;sentinel://s3/2');
    expect(u.scheme).toBe('sentinel');
    expect(u.sentinels).toEqual([{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }, { host: 's3', port: 26379 }]);
    expect(u.password).toBe('pw');
    expect(parseRedisBrokerUrl('sentinel://s1/0?master_name=mymaster').masterName).toBe('mymaster');
    expect(u.displayUrl).toBe('sentinel://:***@s1:26379;sentinel://s2:26380;sentinel://s3/2');
  });

  it('refuses what it cannot read', () => {
    expect(() => parseRedisBrokerUrl('redis://h/notadb')).toThrow(/database must be a number/);
    expect(() => parseRedisBrokerUrl('amqp://h')).toThrow(/not a Redis broker URL/);
    expect(() => parseRedisBrokerUrl('sentinel://a;redis://b')).toThrow(/cannot be mixed/);
  });
});
