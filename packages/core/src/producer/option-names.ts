/**
 * One table for the two spellings of send options: Celeriac's camelCase (`ApplyOptions`,
 * `SendOptions`) and Celery's snake_case, the names a signature's `options` carry on the
 * wire (`task_id`, `link_error`, `group_index`...). Pure.
 */
import { asSignatureDict, type SignatureDict } from '../canvas/signature-dict.js';
import type { SendOptions } from './apply-options.js';

const CAMEL_TO_WIRE: Readonly<Record<string, string>> = Object.freeze({
  taskId: 'task_id', routingKey: 'routing_key', timeLimit: 'time_limit', softTimeLimit: 'soft_time_limit',
  ignoreResult: 'ignore_result', linkError: 'link_error', replyTo: 'reply_to', groupId: 'group_id', groupIndex: 'group_index',
  rootId: 'root_id', parentId: 'parent_id', replacedTaskNesting: 'replaced_task_nesting',
});

/** Wire names Celeriac understands, and the camelCase key each becomes. */
const WIRE_TO_CAMEL: Readonly<Record<string, keyof SendOptions>> = Object.freeze({
  ...Object.fromEntries(Object.entries(CAMEL_TO_WIRE).map(([camel, wire]) => [wire, camel])),
  queue: 'queue', exchange: 'exchange', priority: 'priority', countdown: 'countdown', eta: 'eta', expires: 'expires',
  headers: 'headers', shadow: 'shadow', chord: 'chord', chain: 'chain', compression: 'compression', link: 'link', retries: 'retries',
} as Record<string, keyof SendOptions>);

/** The wire name of an option (unknown names are kept: `sig.set({ x_custom: 1 })` stays as it is). */
export function wireName(key: string): string {
  return CAMEL_TO_WIRE[key] ?? key;
}

/**
 * A signature's wire options → SendOptions. `link` / `link_error` become lists of signature
 * dicts; null values are dropped except `group_index` (null is meaningful there); options
 * Celeriac does not use (`subtask_type` leftovers, Celery-only flags) are ignored.
 */
export function fromWireOptions(options: Record<string, unknown>): SendOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || (v === null && k !== 'group_index')) continue;
    const key = WIRE_TO_CAMEL[k];
    if (!key) continue;
    out[key] = key === 'link' || key === 'linkError' ? signatureList(v) : v;
  }
  return out as SendOptions;
}

/** One signature dict or a list of them (as `link` may be written) → a list. */
export function signatureList(value: unknown): SignatureDict[] {
  const list = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  return list.map((x: unknown) => toDict(x)).filter((s): s is SignatureDict => s !== null);
}

/** A Signature instance (anything with `toDict()`) or a dict → a signature dict. */
export function toDict(value: unknown): SignatureDict | null {
  return isSignature(value) ? (value as { toDict(): SignatureDict }).toDict() : asSignatureDict(value);
}

/** SendOptions / ApplyOptions (camelCase) → Celery's option names; signatures become dicts, dates ISO strings. */
export function toWireOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    out[wireName(k)] = k === 'link' || k === 'linkError' ? signatureList(v)
      : v instanceof Date ? v.toISOString()
        : isSignature(v) ? (v as { toDict(): SignatureDict }).toDict() : v;
  }
  return out;
}

function isSignature(v: unknown): boolean {
  return v !== null && typeof v === 'object' && typeof (v as { toDict?: unknown }).toDict === 'function';
}
