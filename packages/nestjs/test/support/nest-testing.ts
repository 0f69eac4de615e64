/** Helpers shared by the tests: a capturing Nest logger, a quiet core logger, polling. */
import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@celeriac/core';

export interface LogEntry {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
  context: string | undefined;
}

/** Collects Nest log lines instead of printing them (pass to `TestingModuleBuilder.setLogger`). */
export class CapturingLogger implements LoggerService {
  readonly entries: LogEntry[] = [];
  log(message: unknown, context?: string) { this.#push('log', message, context); }
  error(message: unknown, ...rest: unknown[]) { this.#push('error', message, rest.at(-1) as string | undefined); }
  warn(message: unknown, context?: string) { this.#push('warn', message, context); }
  debug(message: unknown, context?: string) { this.#push('debug', message, context); }
  verbose(message: unknown, context?: string) { this.#push('verbose', message, context); }
  fatal(message: unknown, context?: string) { this.#push('fatal', message, context); }

  /** Lines at `level` (and from `context`, if given). */
  lines(level: LogEntry['level'], context?: string): string[] {
    return this.entries.filter((e) => e.level === level && (context === undefined || e.context === context)).map((e) => e.message);
  }

  #push(level: LogEntry['level'], message: unknown, context: string | undefined) {
    this.entries.push({ level, message: message instanceof Error ? `${message.name}: ${message.message}` : String(message), context });
  }
}

export const quietCoreLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
