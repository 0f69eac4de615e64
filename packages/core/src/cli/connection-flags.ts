/**
 * TLS, login and passive-mode flags for every command that connects. Each flag sets the
 * `CELERIAC_BROKER_*` / `CELERIAC_BACKEND_*` environment variable of the same meaning before
 * the app module loads, so an app from `-A` gets them too (createApp reads them for what its
 * own options leave unset). Secrets are taken from files only: a password typed on the command
 * line would show in `ps` and shell history.
 */
import { Option, type Command } from 'commander';
import { BACKEND_ENV_PREFIX, BROKER_ENV_PREFIX } from '../tls/connection-env.js';

interface Flag {
  flag: string;
  /** commander's camelCase name of the flag. */
  key: string;
  env: string;
  help: string;
  choices?: string[];
}

function flagsFor(side: 'broker' | 'backend', prefix: string, peer: string): Flag[] {
  const list: Flag[] = [
    { flag: `--${side}-ca <file>`, key: `${side}Ca`, env: `${prefix}_TLS_CA`, help: `CA certificate(s) (PEM file) the ${peer}'s certificate must chain to; turns TLS on` },
    { flag: `--${side}-cert <file>`, key: `${side}Cert`, env: `${prefix}_TLS_CERT`, help: `client certificate (PEM) for mutual TLS with the ${peer}` },
    { flag: `--${side}-key <file>`, key: `${side}Key`, env: `${prefix}_TLS_KEY`, help: `private key (PEM) of --${side}-cert` },
    { flag: `--${side}-key-passphrase-file <file>`, key: `${side}KeyPassphraseFile`, env: `${prefix}_TLS_PASSPHRASE_FILE`, help: `file holding the passphrase of --${side}-key` },
    { flag: `--${side}-servername <name>`, key: `${side}Servername`, env: `${prefix}_TLS_SERVERNAME`, help: `name the ${peer}'s certificate must carry (default: the URL's host)` },
    { flag: `--${side}-tls-verify <mode>`, key: `${side}TlsVerify`, env: `${prefix}_TLS_VERIFY`, help: `full (chain and name, the default), chain (no name check) or none (warns on every connect)`, choices: ['full', 'chain', 'none'] },
    { flag: `--${side}-password-file <file>`, key: `${side}PasswordFile`, env: `${prefix}_PASSWORD_FILE`, help: `file holding the ${peer} password (replaces the URL's)` },
  ];
  if (side === 'broker') {
    list.push(
      { flag: '--broker-login-method <method>', key: 'brokerLoginMethod', env: `${prefix}_LOGIN_METHOD`, help: 'SASL mechanism: PLAIN (default), AMQPLAIN or EXTERNAL (log in with the client certificate)', choices: ['PLAIN', 'AMQPLAIN', 'EXTERNAL'] },
      { flag: '--broker-passive', key: 'brokerPassive', env: `${prefix}_PASSIVE`, help: 'never declare durable queues and exchanges, only check they exist (users without configure rights)' },
    );
  }
  return list;
}

const FLAGS: readonly Flag[] = [...flagsFor('broker', BROKER_ENV_PREFIX, 'broker'), ...flagsFor('backend', BACKEND_ENV_PREFIX, 'Redis result backend')];

/** Adds the connection flags to a command. */
export function addConnectionFlags(cmd: Command): Command {
  for (const f of FLAGS) {
    const option = new Option(f.flag, f.help);
    if (f.choices) option.choices(f.choices);
    cmd.addOption(option);
  }
  return cmd;
}

/** Sets the environment variables the given flags stand for (flags win over the environment). */
export function applyConnectionFlags(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): void {
  for (const f of FLAGS) {
    const value = flags[f.key];
    if (value === undefined || value === false) continue;
    env[f.env] = value === true ? '1' : String(value);
    // a file flag replaces an inline value of the same setting from the environment
    if (f.env.endsWith('_PASSWORD_FILE')) delete env[f.env.replace(/_FILE$/, '')];
    if (f.env.endsWith('_TLS_PASSPHRASE_FILE')) delete env[f.env.replace(/_FILE$/, '')];
  }
}
