/**
 * Text from messages (task names, ids, reprs) made safe for one log line: control characters,
 * line and paragraph separators and bidi overrides are written as `\xNN` / `\uNNNN`, so a task
 * name cannot forge a second log line or hide text, and over-long text is cut.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function logText(text: string, maxLength = 1024): string {
  const cut = text.length > maxLength ? text.slice(0, maxLength) + '…' : text;
  return cut.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
