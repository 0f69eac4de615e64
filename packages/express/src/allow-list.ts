/**
 * Which task names (and queues) may be used over HTTP. An allow-list is an array of exact
 * names and globs (`*` any run of characters, `?` one character, as in the app's routes
 * table), or a predicate. The default is the empty list: nothing is allowed.
 */

/** Exact names and globs (`'tasks.add'`, `'reports.*'`), or a predicate. */
export type AllowList = readonly string[] | ((name: string) => boolean);

export interface CompiledAllowList {
  /** True when the name is on the list. */
  allows(name: string): boolean;
  /** True when the name is listed as it is, not only matched by a glob or the predicate. */
  listsLiterally(name: string): boolean;
}

const GLOB_CHARS = /[*?]/;

/** A glob as an anchored RegExp: `*` → `.*`, `?` → `.`, everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

/** Compiles an allow-list once; `undefined` allows nothing. */
export function compileAllowList(allow: AllowList | undefined): CompiledAllowList {
  if (typeof allow === 'function') {
    return { allows: (name) => allow(name) === true, listsLiterally: () => false };
  }
  const entries = allow ?? [];
  const literals = new Set(entries.filter((e) => !GLOB_CHARS.test(e)));
  const globs = entries.filter((e) => GLOB_CHARS.test(e)).map(globToRegExp);
  return {
    allows: (name) => literals.has(name) || globs.some((re) => re.test(name)),
    listsLiterally: (name) => literals.has(name),
  };
}

const TASK_NAME = /^[\p{L}\p{N}_.:@/-]{1,255}$/u;

/** Task names the router accepts at all: 1–255 letters, digits and `_ . : @ / -`. */
export function isValidTaskName(name: string): boolean {
  return TASK_NAME.test(name);
}

const TASK_ID = /^[A-Za-z0-9_.:-]{1,255}$/;

/** Task ids the router accepts in paths: UUIDs and other ids of `A-Z a-z 0-9 _ . : -`. */
export function isValidTaskId(id: string): boolean {
  return TASK_ID.test(id);
}
