/**
 * The app's routes table: task-name globs (first match wins) or a function, compiled to a
 * lookup. Where it ranks among the other layers is decided in `resolve-send.ts`. Pure.
 */
export interface RouteTarget {
  queue?: string;
  exchange?: string;
  routingKey?: string;
}

/** `{ 'reports.*': 'reports', 'tasks.add': { queue: 'math' } }` or a function. */
export type RoutesTable =
  | Record<string, string | RouteTarget>
  | ((taskName: string) => string | RouteTarget | undefined);

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
