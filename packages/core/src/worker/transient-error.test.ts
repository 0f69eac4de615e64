import { describe, expect, it } from 'vitest';
import { BufferFullError, ConnectionClosedError, EncodeError, PublishError } from '../errors/index.js';
import { isTransientError } from './transient-error.js';

describe('isTransientError', () => {
  it('passing: broker or backend unreachable', () => {
    expect(isTransientError(new ConnectionClosedError('gone'))).toBe(true);
    expect(isTransientError(new BufferFullError(10))).toBe(true);
    expect(isTransientError(new PublishError('the broker refused (nacked) the message'))).toBe(true);
    expect(isTransientError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientError(new Error('Connection is closed.'))).toBe(true);
    expect(isTransientError(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isTransientError(Object.assign(new Error('custom backend down'), { transient: true }))).toBe(true);
    expect(isTransientError(new Error('wrapped', { cause: new ConnectionClosedError('gone') }))).toBe(true);
  });

  it('permanent: the same message would fail the same way again', () => {
    expect(isTransientError(new EncodeError('cannot encode a Map'))).toBe(false);
    expect(isTransientError(new RangeError('Maximum call stack size exceeded'))).toBe(false);
    expect(isTransientError(new TypeError("Field 'exchange' is the wrong type"))).toBe(false);
    expect(isTransientError(new PublishError('could not encode the message for AMQP: bad header'))).toBe(false);
    expect(isTransientError('a string')).toBe(false);
    expect(isTransientError(undefined)).toBe(false);
  });
});
