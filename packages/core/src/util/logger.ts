import { openSync, writeSync } from 'node:fs';

/**
 * The logging seam: anything with these four methods (console, pino, winston) works. Two
 * optional members, spelled as pino and winston spell them, let Celeriac skip building lines
 * nobody will see (`isLevelEnabled`) and let the CLI's `-l/--loglevel` change the level of
 * the app's logger after the app was created (`level`).
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Whether a line at this level would be written (pino and winston loggers have it). */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
  /** The current minimum level, settable (pino and winston loggers have it). */
  level?: string;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/** Celery's `-l` names (any case) and ours: DEBUG, INFO, WARNING/WARN, ERROR, CRITICAL/FATAL, SILENT. */
const ALIASES: Readonly<Record<string, LogLevel>> = {
  debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', critical: 'error', fatal: 'error', silent: 'silent',
};

/** A level name as Celery's `-l/--loglevel` accepts it → ours; null when it is not a level. */
export function parseLogLevel(name: string): LogLevel | null {
  return ALIASES[name.trim().toLowerCase()] ?? null;
}

/** True unless the logger says lines at `level` are dropped (loggers that cannot tell get every line). */
export function logsAt(logger: Logger, level: 'debug' | 'info' | 'warn' | 'error'): boolean {
  return typeof logger.isLevelEnabled === 'function' ? logger.isLevelEnabled(level) : true;
}

/**
 * Sets the level of a logger that has a settable `level` (the console logger, pino, winston);
 * returns false when it has none (then the logger's own configuration decides).
 */
export function setLogLevel(logger: Logger, level: LogLevel): boolean {
  if (!('level' in logger)) return false;
  logger.level = level;
  return true;
}

/**
 * A plain logger, one line per message, to stderr or appended to a file; level from
 * `CELERIAC_LOG` (debug, info, warn, error, silent), changeable through `level`; file from
 * `CELERIAC_LOG_FILE` (the `celeriac` command sets it from `-f/--logfile` before it loads the app).
 */
export function createConsoleLogger(
  level: LogLevel = parseLogLevel(process.env.CELERIAC_LOG ?? '') ?? 'info',
  file: string | undefined = process.env.CELERIAC_LOG_FILE,
): Logger & { level: string } {
  let min: number = LEVELS[level] ?? LEVELS.info;
  let current: LogLevel = level in LEVELS ? level : 'info';
  // synchronous appends: a line logged just before process.exit() is never lost
  const fd = file ? openSync(file, 'a') : null; // unset or empty: stderr
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + safeJson(fields) : '';
    const line = `[${new Date().toISOString()}] ${lvl.toUpperCase()} ${message}${extra}\n`;
    if (fd === null) process.stderr.write(line);
    else writeSync(fd, line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    isLevelEnabled: (lvl) => LEVELS[lvl] >= min,
    get level(): string {
      return current;
    },
    set level(next: string) {
      const parsed = parseLogLevel(next);
      if (parsed === null) throw new TypeError(`unknown log level ${JSON.stringify(next)} (use debug, info, warning, error, critical or silent)`);
      current = parsed;
      min = LEVELS[parsed];
    },
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Error ? x.message : x));
  } catch {
    return String(v);
  }
}
