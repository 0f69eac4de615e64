/**
 * The instrumentation hooks and the per-task log lines, on the memory broker: what publish and
 * run wrappers see, that messages sent while a task is handled (children, the next chain step,
 * retries) are published inside its run wrapper, and Celery's worker lines at info.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { chain, createApp, createConsoleLogger, currentTask, type Instrumentation, type Logger, type TaskRunOutcome } from '../../src/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Seen {
  published: { name: string; id: string; parentId: string | null; insideRun: string | null }[];
  runs: { name: string; id: string; header: unknown; outcome: TaskRunOutcome }[];
}

/** An instrumentation that stamps a header on publish and records what it sees; the running task's id flows through AsyncLocalStorage. */
function recorder(): { inst: Instrumentation; seen: Seen } {
  const running = new AsyncLocalStorage<string>();
  const seen: Seen = { published: [], runs: [] };
  const inst: Instrumentation = {
    name: 'recorder',
    async publish(info, publish) {
      info.headers['x-test-stamp'] = `stamp-${info.taskId}`;
      seen.published.push({ name: info.taskName, id: info.taskId, parentId: info.parentId, insideRun: running.getStore() ?? null });
      await publish();
    },
    async run(info, run) {
      const outcome = await running.run(info.request.id, run);
      seen.runs.push({ name: info.request.name, id: info.request.id, header: info.request.headers['x-test-stamp'], outcome });
      return outcome;
    },
  };
  return { inst, seen };
}

async function until<T>(f: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('instrumentation', () => {
  it('lets a publish wrapper add headers the worker reads, and tells the run wrapper each outcome', async () => {
    const { inst, seen } = recorder();
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: silent, instrumentation: [inst] });
    const add = app.task('t.add', (x: number, y: number) => x + y);
    const fail = app.task('t.fail', () => {
      throw new RangeError('bad');
    });
    const worker = app.worker({ concurrency: 2 });
    await worker.start();
    const ok = await add.delay(2, 3);
    expect(await ok.get({ timeout: 2000 })).toBe(5);
    const bad = await fail.delay();
    await bad.get({ timeout: 2000 }).catch(() => undefined);
    await until(() => (seen.runs.length >= 2 ? true : undefined));
    const byId = new Map(seen.runs.map((r) => [r.id, r]));
    expect(byId.get(ok.id)!.header).toBe(`stamp-${ok.id}`);
    expect(byId.get(ok.id)!.outcome.status).toBe('success');
    expect(byId.get(bad.id)!.outcome).toMatchObject({ status: 'failure', error: { message: 'bad' } });
    await worker.stop();
    await app.close();
  });

  it('publishes children, the next chain step and retries inside the parent run', async () => {
    const { inst, seen } = recorder();
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger: silent, instrumentation: [inst] });
    const child = app.task('t.child', (x: number) => x + 1);
    app.task('t.parent', async () => {
      const r = await child.delay(1);
      return r.id;
    });
    const flaky = app.task('t.flaky', function () {
      if (this.retries === 0) this.retry({ countdown: 0 });
      return 'ok';
    });
    const worker = app.worker({ concurrency: 4 });
    await worker.start();
    const parent = await app.sendTask('t.parent');
    const childId = (await parent.get({ timeout: 2000 })) as string;
    const c = seen.published.find((p) => p.id === childId)!;
    expect(c).toMatchObject({ name: 't.child', insideRun: parent.id });

    const step1 = child.s(1);
    const applied = await chain(step1, child.s()).applyAsync();
    expect(await applied.get({ timeout: 2000 })).toBe(3);
    const steps = seen.published.filter((p) => p.name === 't.child' && p.id !== childId);
    expect(steps).toHaveLength(2);
    expect(steps[0]!.insideRun).toBeNull(); // sent by the test
    expect(steps[1]!.insideRun).toBe(steps[0]!.id); // sent by the worker after the first step

    const f = await flaky.delay();
    expect(await f.get({ timeout: 5000 })).toBe('ok');
    const retryPublish = seen.published.filter((p) => p.id === f.id);
    expect(retryPublish.map((p) => p.insideRun)).toEqual([null, f.id]);
    const runs = await until(() => {
      const r = seen.runs.filter((x) => x.id === f.id).map((x) => x.outcome.status);
      return r.length === 2 ? r : undefined;
    });
    expect(runs).toEqual(['retry', 'success']);
    await worker.stop();
    await app.close();
  });

  it('never loses a task to a wrapper that throws or forgets to call through', async () => {
    const errors: string[] = [];
    const logger: Logger = { ...silent, error: (m) => errors.push(m) };
    const broken: Instrumentation = {
      name: 'broken',
      publish: async () => {
        throw new Error('publish hook broke');
      },
      run: async () => {
        throw new Error('run hook broke');
      },
    };
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger, instrumentation: [broken] });
    const add = app.task('t.add', (x: number, y: number) => x + y);
    const worker = app.worker();
    await worker.start();
    expect(await (await add.delay(1, 2)).get({ timeout: 2000 })).toBe(3);
    expect(errors.some((e) => e.includes('publish hook broke'))).toBe(true);
    expect(errors.some((e) => e.includes('run hook broke'))).toBe(true);
    await worker.stop();
    await app.close();
  });
});

describe('worker log lines', () => {
  function capture(level: 'info' | 'warn' = 'info') {
    const lines: string[] = [];
    const levels = { debug: 0, info: 1, warn: 2, error: 3 };
    const logger: Logger = {
      debug: (m) => lines.push(`DEBUG ${m}`), info: (m) => lines.push(`INFO ${m}`), warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`),
      isLevelEnabled: (l) => levels[l] >= levels[level],
    };
    return { lines, logger };
  }

  it("writes Celery's received / succeeded / raised lines at info and error", async () => {
    const { lines, logger } = capture();
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger });
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const fail = app.task('tasks.fail', () => {
      throw Object.assign(new Error('boom'), { excType: 'ValueError' });
    });
    const worker = app.worker();
    await worker.start();
    const r = await add.delay(2, 3);
    await r.get({ timeout: 2000 });
    const f = await fail.delay();
    await f.get({ timeout: 2000 }).catch(() => undefined);
    await until(() => (lines.some((l) => l.includes('raised')) ? true : undefined));
    expect(lines).toContain(`INFO Task tasks.add[${r.id}] received`);
    const ok = lines.find((l) => l.startsWith(`INFO Task tasks.add[${r.id}] succeeded in `))!;
    expect(ok).toMatch(new RegExp(`^INFO Task tasks\\.add\\[${r.id}\\] succeeded in \\d+(\\.\\d+)?(e-\\d+)?s: 5$`));
    expect(lines).toContain(`ERROR Task tasks.fail[${f.id}] raised unexpected: ValueError('boom')`);
    await worker.stop();
    await app.close();
  });

  it('escapes task names and results, and builds no info line when the level is warn', async () => {
    const { lines, logger } = capture();
    const app = createApp({ broker: 'memory://', backend: 'memory://', logger });
    const evil = 'tasks.evil\nINFO Task forged[1] succeeded';
    app.task(evil, () => 'line1\nline2');
    const worker = app.worker();
    await worker.start();
    const r = await app.sendTask(evil);
    await r.get({ timeout: 2000 });
    await until(() => (lines.some((l) => l.includes('succeeded')) ? true : undefined));
    for (const l of lines) expect(l).not.toContain('\n');
    expect(lines).toContain(`INFO Task tasks.evil\\x0aINFO Task forged[1] succeeded[${r.id}] received`);
    await worker.stop();
    await app.close();

    const quiet = capture('warn');
    const app2 = createApp({ broker: 'memory://', backend: 'memory://', logger: quiet.logger });
    const add = app2.task('tasks.add', (x: number, y: number) => x + y);
    const w2 = app2.worker();
    await w2.start();
    await (await add.delay(1, 1)).get({ timeout: 2000 });
    expect(quiet.lines.filter((l) => l.startsWith('INFO'))).toEqual([]);
    await w2.stop();
    await app2.close();
  });

  it('lets the console logger change level at run time, with Celery level names', () => {
    const logger = createConsoleLogger('warn');
    expect(logger.isLevelEnabled!('info')).toBe(false);
    logger.level = 'INFO';
    expect(logger.level).toBe('info');
    expect(logger.isLevelEnabled!('info')).toBe(true);
    logger.level = 'critical';
    expect(logger.isLevelEnabled!('warn')).toBe(false);
    expect(() => {
      logger.level = 'loud';
    }).toThrow(/unknown log level/);
    expect(currentTask).toBeTypeOf('function');
  });
});
