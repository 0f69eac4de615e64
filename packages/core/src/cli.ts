#!/usr/bin/env node
/**
 * The `celeriac` command line, spelled as Celery's (`celeriac -A proj worker -l info -c 4`).
 * Errors print one line and exit with a code scripts can rely on (0 ok, 1 task failed or timed
 * out, 64 usage, 69 broker unreachable or no worker replied).
 */
import { CommanderError } from 'commander';
import { CliError, EXIT } from './cli/cli-error.js';
import { buildProgram } from './cli/program.js';

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
    process.exitCode ??= EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`celeriac: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`celeriac: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = EXIT.FAILURE;
  }
}

void main().then(() => {
  // commands that finished must not be kept alive by timers of closed connections
  if (process.exitCode !== undefined) setTimeout(() => process.exit(process.exitCode), 50).unref();
});
