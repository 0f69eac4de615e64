/** Parsing what Python Celery 5.2.6 and 5.6.2 really send and store: every captured message and result document. */
import { describe, expect, it } from 'vitest';
import {
  createCodecRegistry, parseTaskMessage, remoteErrorFromMeta, RemoteTaskError, buildTaskMessage, type TaskRequest,
} from '../../src/index.js';
import { asResultMeta } from '../../src/protocol/result-meta.js';
import { FIXTURE_SETS, fixture as load, messagesOf, resultFixtures, type WireMessage } from './capture.js';

const codecs = createCodecRegistry();

function parse(m: WireMessage): TaskRequest {
  const body = codecs.decode(m.properties.content_type as string, Buffer.from(m.body, 'utf8'));
  return parseTaskMessage({
    headers: m.headers ?? {}, body,
    correlationId: m.properties.correlation_id as string, replyTo: m.properties.reply_to as string,
    priority: m.properties.priority as number | undefined,
  });
}

for (const set of FIXTURE_SETS) {
  const fixture = (name: string) => load(name, set);

  describe(`parsing captured task messages (${set.name})`, () => {
    const all = ['add-delay', 'apply-async-options', 'apply-async-queue', 'send-task', 'kwargs', 'json-types', 'chain', 'group', 'chord', 'map', 'starmap', 'protocol-1', 'retry-republished'];
    for (const name of all) {
      it(`parses ${name}`, () => {
        for (const m of messagesOf(fixture(name))) {
          const req = parse(m);
          expect(req.id).toBe(m.properties.correlation_id);
          expect(Array.isArray(req.args)).toBe(true);
        }
      });
    }

    it('reads options, eta, limits and links from apply_async(many options)', () => {
      const req = parse(fixture('apply-async-options'));
      expect(req.name).toBe('proto.add');
      expect(req.args).toEqual([2, 3]);
      expect(req.timelimit).toEqual([30, 20]);
      expect(req.shadow).toBe('add-shadowed');
      expect(req.priority).toBe(5);
      expect(req.headers.x_custom).toBe('hello');
      // 5.6's new headers reach the task as Python sends them; 5.2 has none of them
      for (const key of set.newHeaders) expect(req.headers, key).toHaveProperty(key);
      expect(req.eta).toBeInstanceOf(Date);
      expect(req.expires!.getTime() - req.eta!.getTime()).toBeGreaterThan(500_000);
      expect(req.embed.callbacks?.[0]).toMatchObject({ task: 'proto.mul', args: [10], immutable: false });
      expect(req.embed.errbacks?.[0]).toMatchObject({ task: 'proto.echo', args: ['errback'], immutable: true });
    });

    it('reads a reversed chain from embed', () => {
      const req = parse(fixture('chain'));
      expect(req.embed.chain?.map((s) => s.args)).toEqual([[4], [3]]);
    });

    it('keeps big integers exact, and dates as kombu wrote them (strings in 5.2, markers in 5.6)', () => {
      const req = parse(fixture('json-types'));
      expect(req.args[8]).toBe(1180591620717411303424n);
      expect(req.kwargs.k).toBe(1e100);
      if (set.newHeaders.length === 0) {
        expect(req.args[0]).toBe('2024-01-02T03:04:05.678901');
      } else {
        // kombu ≥ 5.3 writes type markers: dates come back as Dates, decimals and uuids as strings
        expect(req.args[0]).toEqual(new Date('2024-01-02T03:04:05.678Z'));
        expect(req.args.slice(2, 6)).toEqual(['2024-01-02', '03:04:05', '12345678-1234-5678-1234-567812345678', '1.10']);
      }
    });

    it('accepts protocol 1 (no task header, dict body)', () => {
      const req = parse(fixture('protocol-1'));
      expect(req.name).toBe('proto.add');
      expect(req.args).toEqual([7, 8]);
      expect(req.eta).toBeInstanceOf(Date);
    });

    it('reads a republished retry: retries 1, parent = own id, limits kept', () => {
      const req = parse(fixture('retry-republished'));
      expect(req.retries).toBe(1);
      expect(req.parentId).toBe(req.id);
      expect(req.timelimit).toEqual([30, 20]);
    });

    it('rebuilds a message Python would accept from a parsed one', () => {
      const req = parse(fixture('add-delay'));
      const rebuilt = buildTaskMessage({ id: req.id, name: req.name, args: req.args, kwargs: req.kwargs, origin: 'gen1@h' });
      expect(rebuilt.headers.argsrepr).toBe('(2, 3)');
      expect(rebuilt.body).toEqual([[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    });
  });

  describe(`reading captured result documents (${set.name})`, () => {
    for (const { name, data } of resultFixtures(set)) {
      it(`reads ${name}`, () => {
        const texts: string[] = [];
        if (Array.isArray(data.messages)) for (const m of data.messages as WireMessage[]) texts.push(m.body);
        if (typeof data.value === 'string') texts.push(data.value);
        expect(texts.length).toBeGreaterThan(0);
        for (const text of texts) {
          const meta = asResultMeta(codecs.decode('application/json', Buffer.from(text)));
          expect(meta).not.toBeNull();
          expect(meta!.task_id).toBe(data.task_id);
          if (meta!.status === 'FAILURE' || meta!.status === 'REVOKED') {
            const err = remoteErrorFromMeta(meta!);
            expect(err).toBeInstanceOf(RemoteTaskError);
            expect(err.excType.length).toBeGreaterThan(0);
          }
        }
      });
    }

    it('turns a Python ValueError into RemoteTaskError(ValueError, builtins, ["boom"])', () => {
      const f = resultFixtures(set).find((r) => r.name === 'redis-failure.json')!;
      const err = remoteErrorFromMeta(asResultMeta(JSON.parse(f.data.value as string))!);
      expect([err.excType, err.excModule, err.excArgs]).toEqual(['ValueError', 'builtins', ['boom']]);
      expect(err.traceback).toContain('ValueError: boom');
    });
  });
}
