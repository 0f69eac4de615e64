/**
 * `-l/--loglevel` and `-f/--logfile`, as Celery spells them. Set before the app module is
 * loaded, `CELERIAC_LOG` / `CELERIAC_LOG_FILE` reach an app whose default logger is created
 * then; once it is loaded, `-l` is also set on the app's logger when its level is settable
 * (the console logger, pino, winston). Another logger keeps its own configuration.
 */
import { parseLogLevel, setLogLevel, type Logger, type LogLevel } from '../util/logger.js';
import { CliError, EXIT } from './cli-error.js';

export interface LogFlags {
  loglevel?: string;
  logfile?: string;
}

export function logLevelFlag(text: string): LogLevel {
  const level = parseLogLevel(text);
  if (level === null) throw new CliError(`-l/--loglevel must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, FATAL (got ${text})`, EXIT.USAGE);
  return level;
}

/** Before the app (and its logger) is created. */
export function applyLogFlags(flags: LogFlags, logfile?: string): void {
  if (flags.loglevel !== undefined) process.env.CELERIAC_LOG = logLevelFlag(flags.loglevel);
  if (logfile !== undefined) process.env.CELERIAC_LOG_FILE = logfile;
}

/** After the app is loaded: its logger takes -l too, if it can. */
export function applyLogLevel(logger: Logger, flags: LogFlags): void {
  if (flags.loglevel !== undefined) setLogLevel(logger, logLevelFlag(flags.loglevel));
}
