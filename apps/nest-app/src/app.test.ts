/**
 * Boots the built app (dist/, from `npx tsup`), so a build that lost decorator metadata fails
 * here: MathProcessor gets its Calculator injected by type. Memory broker, 127.0.0.1, a free port.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';

const builtPath = fileURLToPath(new URL('../dist/bootstrap.js', import.meta.url));
if (!existsSync(builtPath)) throw new Error('apps/nest-app/dist is missing: run `npx tsup` before this test');
const built = (await import(builtPath)) as typeof import('./bootstrap.js');

class Lines implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown) { this.lines.push(String(message)); }
  error(message: unknown) { this.lines.push(`ERROR ${String(message)}`); }
  warn(message: unknown) { this.lines.push(`WARN ${String(message)}`); }
  debug() {}
  verbose() {}
}

let app: INestApplication | undefined;

async function start(logger = new Lines()) {
  app = await built.startHttpApp(new built.AppConfig({ port: 0 }), { logger });
  const base = await app.getUrl();
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { call, logger };
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('the Nest sample app', () => {
  it('enqueues over HTTP, runs the task in the processor, and returns the result', async () => {
    const { call } = await start();
    const sent = await call('POST', '/tasks/add', { x: 2, y: 3 });
    expect(sent.status).toBe(202);
    expect(await call('GET', `/tasks/${String(sent.body.id)}?wait=3000`)).toEqual({ status: 200, body: { id: sent.body.id, state: 'SUCCESS', result: 5 } });

    // the task's ParseIntPipe validates what any caller sends
    const bad = await call('POST', '/tasks/send/math.add', { args: ['2', 'two'] });
    const failed = await call('GET', `/tasks/${String(bad.body.id)}?wait=3000`);
    expect(failed.body.state).toBe('FAILURE');
    expect(failed.body.result).toMatchObject({ exc_type: 'BadRequestException' });

    expect((await call('POST', '/tasks/add', { x: 'two' })).status).toBe(400);
  });

  it('drains on shutdown: a task that started finishes before close() resolves', async () => {
    const { call, logger } = await start();
    const sent = await call('POST', '/tasks/slow-sum', { numbers: [1, 2] });
    const id = String(sent.body.id);
    for (let i = 0; i < 100 && (await call('GET', `/tasks/${id}`)).body.state === 'PENDING'; i++) await new Promise((r) => setTimeout(r, 20));
    const closing = app!.close();
    app = undefined;
    await closing;
    expect(logger.lines).toContain(`math.slow-sum[${id}] finished: 3`);
  });
});
