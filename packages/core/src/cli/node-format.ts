/**
 * Celery's name templates: `%h` host, `%n` name, `%d` domain, `%i` / `%I` process index, `%%`.
 * `-n w1@%h` expands against this machine (`hostFormat`); `--logfile` and `--pidfile`
 * expand against the worker's node name (`nodeFormat`: `%n` is `w1`, `%h` the host part).
 */
import { hostname as osHostname } from 'node:os';

export function hostFormat(template: string, host = osHostname(), name?: string): string {
  const dot = host.indexOf('.');
  const keys: Record<string, string> = {
    h: host,
    n: name ?? (dot === -1 ? host : host.slice(0, dot)),
    d: dot === -1 ? '' : host.slice(dot + 1),
    i: '0', // the async worker is one process: index 0, as Celery's main process
    I: '',
    '%': '%',
  };
  return template.replace(/%([hndiI%])/g, (_m, key: string) => keys[key]!);
}

export function nodeFormat(template: string, nodename: string): string {
  const at = nodename.indexOf('@');
  return at === -1 ? hostFormat(template, nodename) : hostFormat(template, nodename.slice(at + 1), nodename.slice(0, at));
}
