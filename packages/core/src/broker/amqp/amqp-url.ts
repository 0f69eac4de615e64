/** Helpers for amqp:// URLs: hide passwords for display, add the heartbeat parameter. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
  }
}

export function withHeartbeat(url: string, seconds: number): string {
  if (/[?&]heartbeat=/.test(url)) return url;
  return url + (url.includes('?') ? '&' : '?') + `heartbeat=${seconds}`;
}

/** `amqp://a,amqp://b` or `amqp://a;amqp://b` → several URLs (cluster failover). */
export function splitUrls(url: string | readonly string[]): string[] {
  const list = typeof url === 'string' ? url.split(/[;,]\s*(?=amqps?:\/\/)/) : [...url];
  return list.map((u) => u.trim()).filter((u) => u.length > 0);
}
