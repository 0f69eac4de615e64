/**
 * Which topology Celeriac declares and which it only checks, for users without `configure`
 * rights (`passive` mode), as a pure function of the entry.
 *
 * What outlives a connection (durable queues and exchanges: task queues, their exchanges,
 * dead-letter queues, the event exchange, the delayed-delivery queues) is an admin's to create:
 * in passive mode it is checked with a passive declare (which needs no permission) and its
 * bindings are left alone. What lives only as long as a connection cannot be created in
 * advance, so it is always declared: exclusive and auto-delete queues (remote-control and reply
 * queues, event receivers, the rpc reply queue, beat's lock) with their bindings, and the
 * transient remote-control exchanges (`celery.pidbox`, `reply.celery.pidbox`), which a broker
 * restart removes. A user then needs `configure` only on those names.
 */
import type { Entry } from './topology-entry.js';

export type DeclareAction = 'declare' | 'check' | 'skip';

/** True for entities that live only as long as a connection (or a broker run) and so cannot be declared by an admin in advance. */
export function isPrivate(entry: Entry, queueOf: (name: string) => { exclusive?: boolean; autoDelete?: boolean } | undefined): boolean {
  switch (entry.kind) {
    case 'queue':
      return entry.spec.exclusive === true || entry.spec.autoDelete === true;
    case 'exchange':
      return entry.spec.durable === false;
    case 'binding': {
      const q = queueOf(entry.spec.queue);
      return q !== undefined && (q.exclusive === true || q.autoDelete === true);
    }
    case 'exchange-binding':
      return false;
  }
}

/** What to do with an entry: in passive mode shared queues and exchanges are checked and their bindings skipped. */
export function declareAction(entry: Entry, passive: boolean, queueOf: Parameters<typeof isPrivate>[1]): DeclareAction {
  if (!passive || isPrivate(entry, queueOf)) return 'declare';
  return entry.kind === 'queue' || entry.kind === 'exchange' ? 'check' : 'skip';
}
