/**
 * A rough count of the heap bytes a JSON-like value holds (UTF-16 strings, object and array
 * headers, 8-byte slots), to bound caches by memory instead of by entries. The walk stops as
 * soon as the count passes `budget`, so measuring a huge value costs no more than the budget. Pure.
 */
const STRING = 16;
const OBJECT = 32;
const SLOT = 8;

/** Estimated bytes of `value`, or a number above `budget` as soon as it is known to be larger. */
export function approxBytes(value: unknown, budget: number = Infinity): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && total <= budget) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
        total += STRING + 2 * v.length;
        continue;
      case 'object':
        break;
      default:
        total += SLOT;
        continue;
    }
    if (v === null) {
      total += SLOT;
      continue;
    }
    if (seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      total += OBJECT + v.byteLength;
    } else if (Array.isArray(v)) {
      total += OBJECT + SLOT * v.length;
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else {
      total += OBJECT;
      for (const key in v as Record<string, unknown>) {
        total += STRING + 2 * key.length + SLOT;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
  }
  return total;
}
