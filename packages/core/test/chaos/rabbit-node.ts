/**
 * Private RabbitMQ nodes for chaos tests, so stopping, restarting or clustering them never
 * disturbs the machine's main broker: each node has its own name, ports, data directory and
 * config, and is removed at the end.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RabbitNode {
  name: string;
  port: number;
  url: string;
  ctl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolve(stdout);
    });
  });
}

function rabbitUid(): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l: string) => l.startsWith('rabbitmq:'));
    if (!line) return null;
    const parts = line.split(':');
    return { uid: Number(parts[2]), gid: Number(parts[3]) };
  } catch {
    return null;
  }
}

export async function startRabbitNode(options: { name: string; port: number; config?: string; advanced?: string; plugins?: string[] }): Promise<RabbitNode> {
  const dir = mkdtempSync(join(tmpdir(), `celeriac-${options.name}-`));
  writeFileSync(join(dir, 'enabled_plugins'), `[${(options.plugins ?? []).join(',')}].\n`);
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${options.port}\nloopback_users.guest = false\n${options.config ?? ''}\n`);
  writeFileSync(join(dir, 'advanced.config'), `${options.advanced ?? '[]'}.\n`);
  const owner = rabbitUid();
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    for (const f of ['enabled_plugins', 'rabbitmq.conf', 'advanced.config']) chownSync(join(dir, f), owner.uid, owner.gid);
  }
  const node = `${options.name}@localhost`;
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(options.port),
    RABBITMQ_DIST_PORT: String(options.port + 20_000),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
  };
  // a node left behind by an interrupted run would hold the ports
  await run('rabbitmqctl', ['-n', node, 'stop'], process.env, 30_000).catch(() => undefined);
  await run('rabbitmq-server', ['-detached'], env);
  const deadline = Date.now() + 90_000;
  for (;;) {
    // the node shows up in epmd only after a moment; await_startup fails fast until then
    try {
      await run('rabbitmqctl', ['-n', node, 'await_startup', '--timeout', '60'], process.env, 70_000);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const ctl = (...args: string[]) => run('rabbitmqctl', ['-n', node, ...args]);
  return {
    name: node,
    port: options.port,
    url: `amqp://guest:guest@127.0.0.1:${options.port}`,
    ctl,
    async stop() {
      await ctl('stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
