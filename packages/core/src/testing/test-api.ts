/**
 * The few test-runner functions the conformance suites register their tests with, so they run
 * under vitest, jest or node's own runner without depending on any of them: pass
 * `{ describe, it, afterEach }` from yours. Assertions use `node:assert`.
 */
import { randomBytes } from 'node:crypto';
import type { ErrorCode } from '../errors/base-error.js';

/** A test body. It takes no declared parameter, so jest never waits for a `done` callback. */
export type TestBody = () => Promise<void> | void;

export interface TestApi {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: TestBody, timeoutMs?: number): unknown;
  afterEach(hook: () => Promise<void>): unknown;
}

/** Per-test timeout the suites ask for (a real broker, cold, can take a while). */
export const TEST_TIMEOUT_MS = 20_000;

/** A name no other test (or process) uses, so suites can run in parallel on a shared broker. */
export function uniqueName(prefix: string): string {
  return `celeriac_test_${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Resolves once `cond` holds; rejects after `timeoutMs`. */
export function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      try {
        if (await cond()) return resolve();
      } catch (err) {
        return reject(err);
      }
      if (Date.now() > deadline) return reject(new Error(`condition not met within ${timeoutMs} ms`));
      setTimeout(tick, stepMs);
    };
    void tick();
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Matches a Celeriac error by its code, not its class: a consumer's CommonJS build may load
 * the suite and the implementation from different bundles, where `instanceof` would fail.
 */
export function hasCode(code: ErrorCode): (err: unknown) => boolean {
  return (err) => err instanceof Error && (err as { code?: unknown }).code === code;
}
