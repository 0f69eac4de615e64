/**
 * Vhosts and users of a test's own on the local RabbitMQ, made with `rabbitmqctl` (the tests run
 * as root on the broker's machine) and deleted afterwards. Each rabbitmqctl call starts an Erlang
 * VM (seconds on a loaded machine), so independent calls run in parallel.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { RabbitPermissions } from '../../src/broker/amqp/permissions.js';

export function rabbitmqctl(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('rabbitmqctl', args, { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`rabbitmqctl ${args.slice(0, 2).join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolve(stdout);
    });
  });
}

export interface TestUser {
  name: string;
  password: string;
  /** amqp://name:password@127.0.0.1:5672/<vhost>, percent-encoded. */
  url: string;
}

export interface TestVhost {
  name: string;
  /** guest's URL for this vhost (guest gets full permissions on it, for setting up and cleaning up). */
  adminUrl: string;
  /** Adds users with these permissions (in parallel). */
  users(specs: Record<string, RabbitPermissions>, password?: (name: string) => string): Promise<Record<string, TestUser>>;
  /** Deletes the vhost (with everything in it) and every user made here. */
  remove(): Promise<void>;
}

export function urlFor(user: string, password: string, vhost: string, host = '127.0.0.1:5672'): string {
  return `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}/${encodeURIComponent(vhost)}`;
}

export async function testVhost(prefix: string): Promise<TestVhost> {
  const name = `celeriac_test_${prefix}_${randomBytes(4).toString('hex')}`;
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*');
  const made: string[] = [];
  return {
    name,
    adminUrl: urlFor('guest', 'guest', name),
    async users(specs, password = () => `pw-${randomBytes(6).toString('hex')}`) {
      const out: Record<string, TestUser> = {};
      await Promise.all(Object.entries(specs).map(async ([role, p]) => {
        const user = `${name}_${role}`;
        const pw = password(role);
        // `--` so a password starting with '-' is not read as an option
        await rabbitmqctl('add_user', '--', user, pw);
        made.push(user);
        await rabbitmqctl('set_permissions', '-p', name, user, p.configure, p.write, p.read);
        out[role] = { name: user, password: pw, url: urlFor(user, pw, name) };
      }));
      return out;
    },
    async remove() {
      await Promise.all([rabbitmqctl('delete_vhost', name).catch(() => undefined), ...made.map((u) => rabbitmqctl('delete_user', u).catch(() => undefined))]);
    },
  };
}
