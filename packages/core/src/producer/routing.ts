/**
 * Routing: which queue (or exchange + routing key) a task goes to. Call options win, then the
 * app's routes table (task-name globs, first match wins), then the task's own queue, then the
 * default queue. Publishing to a queue uses the default exchange with routing key = queue
 * name, exactly as Python Celery does. Pure.
 */
import type { Route } from '../protocol/message.js';

export interface RouteTarget {
  queue?: string;
  exchange?: string;
  routingKey?: string;
}

/** `{ 'reports.*': 'reports', 'tasks.add': { queue: 'math' } }` or a function. */
export type RoutesTable =
  | Record<string, string | RouteTarget>
  | ((taskName: string) => string | RouteTarget | undefined);

export interface ResolvedRoute {
  route: Route;
  /** Queue to declare before publishing (null when publishing to a named exchange only). */
  queue: string | null;
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function compileRoutes(table: RoutesTable | undefined): (name: string) => RouteTarget | undefined {
  if (!table) return () => undefined;
  if (typeof table === 'function') {
    return (name) => {
      const r = table(name);
      return typeof r === 'string' ? { queue: r } : r;
    };
  }
  const entries = Object.entries(table).map(([glob, target]) => ({
    re: globToRegExp(glob),
    target: typeof target === 'string' ? { queue: target } : target,
  }));
  return (name) => entries.find((e) => e.re.test(name))?.target;
}

export function resolveRoute(call: RouteTarget, fromTable: RouteTarget | undefined, taskQueue: string | undefined, defaultQueue: string): ResolvedRoute {
  const pick = call.queue !== undefined || call.exchange !== undefined ? call : fromTable ?? {};
  const queue = pick.queue ?? (pick.exchange === undefined ? taskQueue ?? defaultQueue : undefined);
  if (pick.exchange !== undefined && pick.exchange !== '') {
    return { route: { exchange: pick.exchange, routingKey: pick.routingKey ?? queue ?? '' }, queue: queue ?? null };
  }
  const q = queue ?? defaultQueue;
  return { route: { exchange: '', routingKey: pick.routingKey ?? q }, queue: q };
}
