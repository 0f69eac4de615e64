/**
 * Makes text from a message (a task name, an id, a queue, an error message) safe to put in a
 * log line: characters that could end the line, move the cursor or recolour a terminal (C0
 * and C1 controls, DEL, ESC, Unicode line separators, bidirectional overrides) become visible
 * escapes (`\n`, `\x1b`, `\u2028`), and long text is cut. Without it, a task named
 * `"x\nINFO forged line"` writes a line of its own into the worker's log.
 */

/** Longest piece of message text put in a log line. */
export const LOG_VALUE_MAX_LENGTH = 200;

// C0, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates, BOM: finding them is the point
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One log-safe line for any value (strings as they are, others through `String`), at most `maxLength` characters plus a note of what was cut. */
export function escapeForLog(value: unknown, maxLength: number = LOG_VALUE_MAX_LENGTH): string {
  const text = typeof value === 'string' ? value : String(value);
  const head = text.length > maxLength ? text.slice(0, maxLength) : text;
  const safe = head.replace(UNSAFE, escapeChar);
  return head === text ? safe : `${safe}…(${text.length - maxLength} more characters)`;
}
