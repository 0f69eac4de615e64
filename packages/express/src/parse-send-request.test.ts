import { describe, expect, it } from 'vitest';
import { compileAllowList } from './allow-list.js';
import { HttpError } from './errors.js';
import { parseSendRequest } from './parse-send-request.js';

const policy = { queues: compileAllowList(['reports', 'bulk.*']) };

function fails(body: unknown): HttpError {
  try {
    parseSendRequest(body, policy);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('expected parseSendRequest to throw');
}

describe('parseSendRequest', () => {
  it('reads Flower bodies, every field optional', () => {
    expect(parseSendRequest(undefined, policy)).toEqual({ args: [], kwargs: {}, options: {}, applyOptions: {} });
    expect(parseSendRequest({}, policy)).toEqual({ args: [], kwargs: {}, options: {}, applyOptions: {} });
    const r = parseSendRequest({ args: [1, 'two', { three: 3 }], kwargs: { x: null }, options: { countdown: 5, priority: 3, queue: 'bulk.low' } }, policy);
    expect(r.args).toEqual([1, 'two', { three: 3 }]);
    expect(r.kwargs).toEqual({ x: null });
    expect(r.applyOptions).toEqual({ countdown: 5, priority: 3, queue: 'bulk.low' });
  });

  it('parses eta and expires as Celery dates (naive = UTC)', () => {
    const r = parseSendRequest({ options: { eta: '2030-01-02T03:04:05', expires: '2030-01-03T00:00:00+01:00' } }, policy);
    expect((r.applyOptions.eta as Date).toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect((r.applyOptions.expires as Date).toISOString()).toBe('2030-01-02T23:00:00.000Z');
    expect(r.options.eta).toBe('2030-01-02T03:04:05');
    expect(parseSendRequest({ options: { expires: 30 } }, policy).applyOptions.expires).toBe(30);
  });

  it.each([
    [[1, 2], 'the request body must be a JSON object'],
    ['text', 'the request body must be a JSON object'],
    [null, 'the request body must be a JSON object'],
    [{ args: { 0: 1 } }, '"args" must be an array'],
    [{ args: 'a' }, '"args" must be an array'],
    [{ kwargs: [] }, '"kwargs" must be a JSON object'],
    [{ kwargs: 'x=1' }, '"kwargs" must be a JSON object'],
    [{ options: [] }, '"options" must be a JSON object'],
    [{ arguments: [] }, 'unknown key in the request body: "arguments"'],
    [{ options: { task_id: 'mine' } }, 'unknown key in "options": "task_id"'],
    [{ options: { exchange: 'x', routing_key: 'y' } }, 'unknown keys in "options": "exchange", "routing_key"'],
    [{ options: { countdown: -1 } }, '"options.countdown"'],
    [{ options: { countdown: '5' } }, '"options.countdown"'],
    [{ options: { countdown: 1e12 } }, '"options.countdown"'],
    [{ options: { expires: 0 } }, '"options.expires"'],
    [{ options: { eta: 'tomorrow' } }, '"options.eta" must be an ISO 8601 date string'],
    [{ options: { eta: '2030-02-30T00:00:00' } }, '"options.eta" must be an ISO 8601 date string'],
    [{ options: { countdown: 1, eta: '2030-01-01T00:00:00Z' } }, 'not both'],
    [{ options: { priority: 1.5 } }, '"options.priority"'],
    [{ options: { priority: 256 } }, '"options.priority"'],
    [{ options: { queue: '' } }, '"options.queue"'],
  ])('rejects %j with 400', (body, message) => {
    const err = fails(body);
    expect(err.status).toBe(400);
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.message).toContain(message);
  });

  it('refuses a queue that is not on the list with 403', () => {
    const err = fails({ options: { queue: 'celery' } });
    expect(err.status).toBe(403);
    expect(err.code).toBe('QUEUE_NOT_ALLOWED');
    expect(() => parseSendRequest({ options: { queue: 'reports' } }, { queues: compileAllowList(undefined) })).toThrow(/may not be chosen/);
  });
});
