/** Shared settings for tests that talk to the real RabbitMQ and Redis. */

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9';
export const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A unique name so parallel tests never share (or delete) each other's queues; and a condition poll. */
export { uniqueName as unique, until } from '../../src/testing/test-api.js';
