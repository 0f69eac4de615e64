/**
 * What Celery's command line has and Celeriac deliberately does not: each says so in `--help`
 * and, when used, fails with one line naming the alternative.
 */
import { Option, type Command } from 'commander';
import { CliError, EXIT } from './cli-error.js';

export interface Unsupported {
  /** Commander syntax of the Celery flag. */
  flags: string;
  /** Short text for --help, starting with "not supported". */
  help: string;
  /** What to do instead, for the error line. */
  alternative: string;
}

export function unsupportedOption(u: Unsupported): Option {
  return new Option(u.flags, `(${u.help})`);
}

/** Throws for the first unsupported flag that was given. */
export function rejectUnsupported(flags: Record<string, unknown>, table: readonly Unsupported[]): void {
  for (const u of table) {
    const option = new Option(u.flags);
    if (flags[option.attributeName()] !== undefined) {
      const name = [option.short, option.long].filter(Boolean).join('/');
      throw new CliError(`${name} is not supported: ${u.alternative}`, EXIT.USAGE);
    }
  }
}

/** Celery commands without a Celeriac counterpart, with what to use instead. */
export const UNSUPPORTED_COMMANDS: readonly { name: string; alternative: string }[] = [
  { name: 'multi', alternative: 'start one `celeriac worker -n <name>@%h` per worker under systemd, pm2, Docker or Kubernetes' },
  { name: 'shell', alternative: 'start node and import your app module: node --interactive, then const { app } = await import("./dist/tasks.js")' },
  { name: 'amqp', alternative: 'use rabbitmqadmin or rabbitmqctl, or the RabbitMQ management UI' },
  { name: 'migrate', alternative: 'move messages with the RabbitMQ shovel plugin' },
  { name: 'list', alternative: 'use rabbitmqctl list_bindings, or `celeriac inspect active_queues`' },
  { name: 'graph', alternative: 'use `celeriac inspect stats` / `celeriac status`' },
  { name: 'logtool', alternative: 'search the worker log (-f/--logfile) with grep' },
  { name: 'upgrade', alternative: 'nothing to upgrade: configure the app in code with createApp()' },
];

export function addUnsupportedCommands(program: Command): void {
  for (const c of UNSUPPORTED_COMMANDS) {
    program
      .command(c.name)
      .description(`not supported: ${c.alternative}`)
      .allowUnknownOption()
      .allowExcessArguments()
      .helpOption(false)
      .action(() => {
        throw new CliError(`${c.name} is not supported: ${c.alternative}`, EXIT.USAGE);
      });
  }
}
