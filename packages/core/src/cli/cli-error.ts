/** Exit codes scripts can rely on (sysexits-style where Celery uses them). */
export const EXIT = {
  OK: 0,
  /** The task failed, was revoked, or a wait timed out. */
  FAILURE: 1,
  /** Wrong arguments or options. */
  USAGE: 64,
  /** Broker unreachable, or no worker replied. */
  UNAVAILABLE: 69,
} as const;

/** An error the CLI prints as one line (no stack trace) before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.FAILURE) {
    super(message);
    this.name = 'CliError';
  }
}

export function parseJsonFlag(name: string, text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`--${name} is not valid JSON: ${text}`, EXIT.USAGE);
  }
}
