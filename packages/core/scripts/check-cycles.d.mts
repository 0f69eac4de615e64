/** Types of check-cycles.mjs, for its tests. */
export function listSources(dir: string): string[];
export function referencedSpecifiers(text: string): string[];
export function resolveSpecifier(fromFile: string, specifier: string, files: ReadonlySet<string>): string | null;
export function importGraph(dir: string): Map<string, string[]>;
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][];
export function main(dir?: string, out?: { write(s: string): unknown }, err?: { write(s: string): unknown }): number;
