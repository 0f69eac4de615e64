/**
 * Key and channel names exactly as kombu's Redis transport spells them, so Python Celery and
 * Celeriac share queues, bindings, the unacked index and the fanout channels. Pure.
 */

/** kombu's separator inside binding members and priority queue names. */
export const SEP = '\x06\x16';
/** kombu's default priority steps. */
export const DEFAULT_PRIORITY_STEPS: readonly number[] = [0, 3, 6, 9];
/** Celery/kombu clamp message priorities to 0..9 on Redis. */
const MAX_PRIORITY = 9;

/** `_kombu.binding.<exchange>`: the set of `routing_key SEP pattern SEP queue` members. */
export function bindingKey(exchange: string): string {
  return `_kombu.binding.${exchange}`;
}

export interface BindingEntry {
  routingKey: string;
  /** A Python regex for topic exchanges (`^...$`), '' otherwise. */
  pattern: string;
  queue: string;
}

export function bindingMember(entry: BindingEntry): string {
  return [entry.routingKey, entry.pattern, entry.queue].join(SEP);
}

/** A binding member read back; null when it is not kombu's three-part form. */
export function parseBindingMember(member: string): BindingEntry | null {
  const parts = member.split(SEP);
  if (parts.length !== 3) return null;
  return { routingKey: parts[0]!, pattern: parts[1]!, queue: parts[2]! };
}

/** The step a priority falls in: the largest step ≤ p, p clamped to 0..9 (kombu's `priority()`). */
export function priorityStep(priority: number | undefined, steps: readonly number[] = DEFAULT_PRIORITY_STEPS): number {
  const raw = typeof priority === 'number' && Number.isFinite(priority) ? Math.trunc(priority) : 0;
  const p = Math.max(0, Math.min(MAX_PRIORITY, raw));
  let step = steps[0] ?? 0;
  for (const s of steps) if (s <= p) step = s;
  return step;
}

/** The list holding a queue's messages of one priority step: `name`, or `name SEP step` above 0. */
export function queueKeyForStep(queue: string, step: number): string {
  return step ? `${queue}${SEP}${step}` : queue;
}

/** The queue a popped list key belongs to (kombu: `rsplit(sep, 1)[0]`). */
export function queueOfKey(key: string): string {
  const i = key.lastIndexOf(SEP);
  return i < 0 ? key : key.slice(0, i);
}

/**
 * The keys BRPOP watches, in kombu's order: every queue at step 0, then every queue at the next
 * step... so the lowest priority number is served first.
 */
export function brpopKeys(queues: readonly string[], steps: readonly number[] = DEFAULT_PRIORITY_STEPS): string[] {
  const keys: string[] = [];
  for (const step of steps) for (const q of queues) keys.push(queueKeyForStep(q, step));
  return keys;
}

/** The fanout channel prefix: `/{db}.` (kombu's default), a custom string, or '' when turned off. */
export function fanoutPrefix(option: boolean | string, db: number): string {
  if (option === false) return '';
  return (typeof option === 'string' ? option : '/{db}.').replace('{db}', String(db));
}

/** Channel a fanout message is PUBLISHed on: `<prefix><exchange>[/<routing key>]`. */
export function fanoutChannel(prefix: string, exchange: string, routingKey: string, patterns: boolean): string {
  return routingKey && patterns ? `${prefix}${exchange}/${routingKey}` : `${prefix}${exchange}`;
}

/** The pattern a queue bound to a fanout exchange PSUBSCRIBEs to (`#` becomes `*`, as kombu). */
export function fanoutSubscribePattern(prefix: string, exchange: string, bindingKeyText: string, patterns: boolean): string {
  return fanoutChannel(prefix, exchange, bindingKeyText.replace(/#/g, '*'), patterns);
}

/** kombu's `escape_regex(rkey, '.#*')`: every character that is not alphanumeric or `.#*` escaped. */
function escapeRegex(text: string): string {
  let out = '';
  for (const c of text) out += /[\p{L}\p{N}.#*]/u.test(c) ? c : c === '\0' ? '\\000' : `\\${c}`;
  return out;
}

/** kombu's topic binding pattern: `*` → `.*?[^\.]`, `#` → `.*?`, words joined by `\.`, anchored. */
export function topicPattern(bindingKeyText: string): string {
  const words = escapeRegex(bindingKeyText).split('.');
  return `^${words.map((w) => (w === '*' ? '.*?[^\\.]' : w === '#' ? '.*?' : w)).join('\\.')}$`;
}

const compiled = new Map<string, RegExp | null>();

/** Whether a routing key matches a stored topic pattern (Python `re.match` of kombu's regex). */
export function topicPatternMatches(pattern: string, routingKey: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern.replace(/\\000/g, '\\x00'));
    } catch {
      re = null;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re !== null && re.test(routingKey) && (re.exec(routingKey)?.index ?? -1) === 0;
}
