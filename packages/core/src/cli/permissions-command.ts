/**
 * `celeriac permissions <role>`: the `rabbitmqctl set_permissions` command giving a role the
 * least rights it needs, from the app's names (`-A`: its queues, control and event exchanges,
 * result backend, passive mode; the user and vhost of its broker URL). Connects to nothing.
 */
import { RABBIT_ROLES, rabbitPermissions, setPermissionsCommand, type RabbitRole, type RoleNames } from '../broker/amqp/permissions.js';
import { unquote } from '../broker/amqp/connect-options.js';
import { CliError, EXIT } from './cli-error.js';
import { loadApp, type AppFlags } from './load-app.js';

export interface PermissionsFlags extends AppFlags {
  queues?: string;
  user?: string;
  vhost?: string;
  beatName?: string;
  brokerPassive?: boolean;
}

export async function permissionsCommand(role: string, flags: PermissionsFlags): Promise<void> {
  if (!(RABBIT_ROLES as readonly string[]).includes(role)) throw new CliError(`unknown role "${role}"; one of: ${RABBIT_ROLES.join(', ')}`, EXIT.USAGE);
  const names: RoleNames = {};
  let user = flags.user;
  let vhost = flags.vhost;
  if (flags.app || flags.broker || process.env.AMQP_URL || process.env.CELERIAC_BROKER) {
    const { app } = await loadApp(flags);
    const o = app.options;
    names.queues = [o.defaultQueue];
    names.controlExchange = o.controlExchange;
    names.eventExchange = o.eventExchange;
    names.rpc = app.backend.kind === 'rpc';
    names.delayedDelivery = o.nativeDelayedDelivery !== false;
    names.passive = o.amqp?.passive === true;
    const url = typeof o.broker === 'string' ? o.broker : Array.isArray(o.broker) ? o.broker[0] : undefined;
    const parsed = url && /^amqps?:/.test(url) ? new URL(url.split(/[;,]/)[0]!) : null;
    user ??= parsed?.username ? unquote(parsed.username) : undefined;
    vhost ??= parsed ? unquote(parsed.pathname.slice(1)) || '/' : undefined;
    await app.close();
  }
  if (flags.queues) names.queues = flags.queues.split(',').map((q) => q.trim()).filter(Boolean);
  if (flags.beatName) names.beatName = flags.beatName;
  if (flags.brokerPassive) names.passive = true;
  const p = rabbitPermissions(role as RabbitRole, names);
  process.stdout.write(`${setPermissionsCommand(role as RabbitRole, user ?? '<user>', vhost ?? '/', names)}\n`);
  process.stdout.write(`#   configure ${p.configure}\n#   write     ${p.write}\n#   read      ${p.read}\n`);
}
