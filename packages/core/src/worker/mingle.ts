/**
 * Celery's mingle, run once before a worker starts consuming: ask the other workers `hello`
 * (their revoked task ids come back and are added to ours, as Celery syncs them), and ping our
 * own node name: any answer means another worker already uses it (Celery warns
 * `DuplicateNodenameWarning`); its remote-control queue is exclusive, so this worker could not
 * start. The caller decides what to do with `duplicate`.
 */
import type { ControlClient } from '../control/control-client.js';
import type { Logger } from '../util/logger.js';
import type { RevokedSet } from './revoked-set.js';

export interface MingleResult {
  /** Other nodes that answered hello. */
  neighbors: string[];
  /** Another worker answers as this worker's node name. */
  duplicate: boolean;
  /** Revoked ids received from neighbours. */
  revoked: number;
}

/** Runs before `worker.start()` (the worker's own control queue must not answer yet). */
export async function mingle(app: { readonly control: ControlClient; readonly logger: Logger }, worker: { readonly hostname: string; readonly revoked: RevokedSet }, timeoutMs = 1000): Promise<MingleResult> {
  const node = worker.hostname;
  app.logger.info('mingle: searching for neighbors');
  const [hello, ping] = await Promise.all([
    app.control.broadcast('hello', { from_node: node, revoked: {} }, { timeout: timeoutMs }),
    app.control.ping({ destination: [node], timeout: timeoutMs }),
  ]);
  const neighbors: string[] = [];
  let revoked = 0;
  let duplicate = ping.length > 0;
  for (const reply of hello) {
    for (const [name, value] of Object.entries(reply)) {
      if (name === node) {
        duplicate = true;
        continue;
      }
      neighbors.push(name);
      const ids = (value as { revoked?: unknown } | null)?.revoked;
      if (ids && typeof ids === 'object') {
        for (const id of Object.keys(ids)) {
          worker.revoked.add(id);
          revoked++;
        }
      }
    }
  }
  app.logger.info(neighbors.length > 0 ? `mingle: sync with ${neighbors.length} nodes (${revoked} revoked ids)` : 'mingle: all alone');
  return { neighbors, duplicate, revoked };
}
