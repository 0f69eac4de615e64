/** Helpers for amqp:// URLs: split cluster lists, hide passwords, add connection parameters. */
import { ConfigurationError } from '../../errors/task-errors.js';

/** RabbitMQ 4.1 refuses connections that offer a smaller `frame_max`. */
export const MIN_FRAME_MAX = 8192;
/** What RabbitMQ recommends and Celeriac asks for unless the URL says otherwise. */
export const DEFAULT_FRAME_MAX = 131072;

/** `amqp://u:secret@h` → `amqp://u:***@h`, for every URL in a `;`-separated list. */
export function redactUrl(url: string): string {
  return splitUrls(url).map(redactOne).join(';') || redactOne(url);
}

function redactOne(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:\/\/([^:@/]*):[^@/]*@/g, '://$1:***@');
  }
}

/**
 * The passwords in these URLs, as written and percent-decoded, for scrubbing messages. Ones
 * shorter than 4 characters are left out: replacing every `1` in "127.0.0.1" helps nobody, and
 * the texts scrubbed (socket and AMQP errors) never quote a password anyway; URLs themselves are
 * always shown redacted.
 */
export function urlSecrets(urls: readonly string[]): string[] {
  const out = new Set<string>();
  for (const url of urls) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]+)@/i.exec(url);
    if (!m) continue;
    out.add(m[1]!);
    try {
      out.add(decodeURIComponent(m[1]!));
    } catch {
      // not valid percent-encoding: the raw form is all there is
    }
  }
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/** Hides the password of any URL written in `text`, then every known password, with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*):[^@/\s]*@/gi, '$1:***@');
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/**
 * Adds `heartbeat` and `frameMax` query parameters unless the URL has them.
 *
 * @throws ConfigurationError when the URL asks for a `frameMax` below {@link MIN_FRAME_MAX}.
 */
export function withConnectionParams(url: string, heartbeatSeconds: number): string {
  const frame = /[?&]frameMax=([^&]*)/.exec(url);
  if (frame && !(/^\d+$/.test(frame[1]!) && (Number(frame[1]) >= MIN_FRAME_MAX || Number(frame[1]) === 0))) {
    throw new ConfigurationError(`frameMax=${frame[1]} in the broker URL is below ${MIN_FRAME_MAX}, which RabbitMQ 4.1 and later refuse; leave it out (Celeriac asks for ${DEFAULT_FRAME_MAX})`);
  }
  const params: string[] = [];
  if (!/[?&]heartbeat=/.test(url)) params.push(`heartbeat=${heartbeatSeconds}`);
  if (!frame) params.push(`frameMax=${DEFAULT_FRAME_MAX}`);
  if (params.length === 0) return url;
  return url + (url.includes('?') ? '&' : '?') + params.join('&');
}

/**
 * `amqp://a;amqp://b` (Celery's form), `amqp://a,amqp://b`, or an array of either → one URL each,
 * for cluster failover.
 */
export function splitUrls(url: string | readonly string[]): string[] {
  const list = typeof url === 'string' ? [url] : url;
  return list
    .flatMap((u) => u.split(/\s*[;,]\s*(?=amqps?:\/\/)/i))
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}
