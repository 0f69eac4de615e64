/**
 * A signature as Celery serialises it inside `embed` and inside canvas task kwargs:
 * `{task, args, kwargs, options, subtask_type, immutable}` (plus `chord_size`, which
 * Celery <= 5.0 wrote and newer versions ignore).
 */
export interface SignatureDict {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: Record<string, unknown>;
  subtask_type: 'chain' | 'group' | 'chord' | 'xmap' | 'xstarmap' | 'chunks' | null;
  immutable: boolean;
  chord_size?: number | null;
}

/** Anything that turns into a signature dict: a `Signature` (or `GroupSignature`) instance. */
export interface SignatureRef {
  toDict(): SignatureDict;
}

/** Reads a signature dict received from the wire, tolerating the small variations Celery versions write. */
export function asSignatureDict(value: unknown): SignatureDict | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.task !== 'string') return null;
  return {
    task: v.task,
    args: Array.isArray(v.args) ? v.args : [],
    kwargs: isPlainObject(v.kwargs) ? v.kwargs : {},
    options: isPlainObject(v.options) ? v.options : {},
    subtask_type: (typeof v.subtask_type === 'string' ? v.subtask_type : null) as SignatureDict['subtask_type'],
    immutable: v.immutable === true,
    ...(v.chord_size !== undefined ? { chord_size: v.chord_size as number | null } : {}),
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}
