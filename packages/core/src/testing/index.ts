/**
 * `@celeriac/core/testing`: the conformance suites Celeriac runs against its own brokers,
 * result backends and codecs, for testing yours. Each takes your runner's
 * `{ describe, it, afterEach }`:
 *
 * ```ts
 * import { afterEach, describe, it } from 'vitest';
 * import { runBrokerConformance } from '@celeriac/core/testing';
 * runBrokerConformance({ describe, it, afterEach }, 'my transport', () => new MyBroker());
 * ```
 */
export { runBrokerConformance } from './broker-conformance.js';
export { runBackendConformance, type BackendConformanceOptions, type BackendUnderTest } from './backend-conformance.js';
export { runCodecConformance } from './codec-conformance.js';
export { uniqueName, until, type TestApi, type TestBody } from './test-api.js';
