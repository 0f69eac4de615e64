/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against
 * RabbitMQ with the rpc backend, clicking through each feature: counts and charts, search and
 * filters, paging, task detail (timeline, workflow graph, parent and children), retry, revoke
 * and terminate, the worker page and its actions, queues and the dead-letter browser,
 * read-only mode, a phone-sized screen, and markup in task data shown as text. Screenshots go
 * to `test-artifacts/` (the README's pictures in `docs/` are copies of some of them).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chain, type Worker } from '@celeriac/core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskRouter, type TaskRouter } from '../../src/create-task-router.js';
import { eventually, listen, startAmqpFixture, type AmqpFixture } from '../support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium)`);
}
if (!available) console.warn(`[dashboard.test] skipped: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);

describe.skipIf(!available)('dashboard in chromium', () => {
  let f: AmqpFixture;
  let readOnly: TaskRouter;
  let http: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let spare: Worker | null = null;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    f = await startAmqpFixture({ backend: 'rpc://' });
    readOnly = createTaskRouter({ app: f.app, auth: 'none', readOnly: true, monitor: f.router.monitor, worker: f.worker, queues: [f.queue] });
    f.server.use('/ro', readOnly);
    http = await listen(f.server);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    await page.goto(`${http.url}/admin/tasks/`);
    await page.getByTestId('status').filter({ hasText: 'live' }).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await readOnly?.close();
    await spare?.stop({ timeout: 1000 });
    await f?.close();
  });

  const row = (id: string) => page.locator(`#tasks tr[data-task-id="${id}"]`);
  const shot = (name: string) => page.screenshot({ path: resolve(ARTIFACTS, name), fullPage: true });
  const go = async (hash: string) => {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  };

  async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${http.url}/admin/tasks${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const send = async (name: string, args: unknown[], options: Record<string, unknown> = {}) => (await post(`/api/task/async-apply/${name}`, { args, options })).body['task-id'] as string;

  it('lists tasks with per-state counts and throughput and runtime charts', async () => {
    const ids = [await send('tasks.add', [40, 2]), await send('tasks.add', [1, 2]), await send('tasks.fail', ['boom'])];
    await row(ids[0]!).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 15_000 });
    await row(ids[2]!).and(page.locator('[data-state="FAILURE"]')).waitFor({ timeout: 15_000 });
    await expect.poll(async () => Number(await page.getByTestId('count-SUCCESS').locator('.n').textContent()), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#chart-throughput path.line.succeeded').count()).toBe(1);
    expect(await page.locator('#chart-runtime path.line.runtimeAvg').count()).toBe(1);
    await shot('dashboard-tasks.png');
  }, 40_000);

  it('searches, filters by state, name, time range and count chips, and resets', async () => {
    const failed = await send('tasks.fail', ['filter-me']);
    const ok = await send('tasks.add', [7, 7]);
    await row(ok).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 15_000 });
    await row(failed).waitFor({ timeout: 15_000 });
    await page.getByTestId('f-state').selectOption('FAILURE');
    await page.getByTestId('f-apply').click();
    await expect.poll(() => page.locator('#tasks tr').evaluateAll((rs) => rs.every((r) => r.getAttribute('data-state') === 'FAILURE'))).toBe(true);
    await row(failed).waitFor();
    await page.getByTestId('f-state').selectOption('');
    await page.getByTestId('f-text').fill('filter-me');
    await page.getByTestId('f-apply').click();
    await expect.poll(() => page.locator('#tasks tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-task-id')))).toEqual([failed]);
    await page.getByTestId('f-text').fill('');
    await page.getByTestId('f-name').fill('tasks.a*');
    await page.getByTestId('f-apply').click();
    await expect.poll(() => page.locator('#tasks tr').evaluateAll((rs) => rs.length > 0 && rs.every((r) => r.getAttribute('data-name') === 'tasks.add'))).toBe(true);
    await page.getByTestId('f-name').fill('');
    await page.getByTestId('f-from').fill('2099-01-01T00:00');
    await page.getByTestId('f-apply').click();
    await expect.poll(() => page.locator('#tasks tr').count()).toBe(0);
    await page.locator('#filters button[type=reset]').click();
    await row(ok).waitFor();
    await page.getByTestId('count-FAILURE').click();
    await expect.poll(() => page.locator('#tasks tr').evaluateAll((rs) => rs.length > 0 && rs.every((r) => r.getAttribute('data-state') === 'FAILURE'))).toBe(true);
    await page.locator('#counts li[data-state=""]').click();
    await row(ok).waitFor();
  }, 40_000);

  it('pages through the history', async () => {
    for (let i = 0; i < 55; i++) await f.app.sendTask('tasks.add', [i, 0]);
    await expect.poll(() => page.getByTestId('page-next').isEnabled(), { timeout: 20_000 }).toBe(true);
    const first = await page.locator('#tasks tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-task-id')));
    expect(first).toHaveLength(50);
    await page.getByTestId('page-next').click();
    await expect.poll(() => page.getByTestId('page-info').textContent()).toContain('page 2');
    const second = await page.locator('#tasks tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-task-id')));
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.getByTestId('page-prev').click();
    await expect.poll(() => page.getByTestId('page-info').textContent()).toContain('page 1');
  }, 60_000);

  it('shows a task with its timeline, result, parent, children and workflow graph', async () => {
    const add = f.app.signature<[number, number], number>('tasks.add');
    const last = await chain(add.s(1, 2), add.s(3), add.s(4)).applyAsync();
    expect(await last.get({ timeout: 10_000 })).toBe(10);
    await eventually(() => f.router.monitor.get(last.id)?.state === 'SUCCESS', 10_000);
    await go(`task/${last.id}`);
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 10_000 }).toBe('SUCCESS');
    expect(await page.getByTestId('detail-result').textContent()).toBe('10');
    const steps = await page.locator('[data-testid=timeline] li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-step')));
    expect(steps).toEqual(expect.arrayContaining(['received', 'started', 'succeeded']));
    await expect.poll(() => page.locator('[data-testid=graph] [data-node]').count(), { timeout: 10_000 }).toBe(3);
    expect(await page.locator(`[data-testid=graph] [data-node="${last.id}"]`).getAttribute('class')).toContain('selected');
    await shot('dashboard-task.png');
    // follow the parent link, then the child link back
    await page.locator('.relations a').first().click();
    await expect.poll(() => page.getByTestId('detail-id').textContent()).not.toBe(last.id);
    await page.locator('.relations a.child').first().click();
    await expect.poll(() => page.getByTestId('detail-id').textContent()).toBe(last.id);
    await go('tasks');
  }, 40_000);

  it('retries a failed task from the list; the retry succeeds and links back', async () => {
    const id = await send('tasks.flaky', [21]);
    await row(id).and(page.locator('[data-state="FAILURE"]')).waitFor({ timeout: 15_000 });
    f.flaky.healthy = true;
    await row(id).locator(`[data-testid="retry-${id}"]`).click();
    await page.locator('#toast', { hasText: 'Sent again as' }).waitFor();
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 15_000 }).toBe('SUCCESS');
    expect(await page.getByTestId('detail-result').textContent()).toBe('42');
    expect(await page.locator('.relations a').first().textContent()).toBe(id.slice(0, 8));
    await go('tasks');
  }, 40_000);

  it('revokes a pending task and terminates a running one', async () => {
    const pending = await send('tasks.add', [1, 1], { countdown: 3 });
    await row(pending).locator(`[data-testid="revoke-${pending}"]`).click({ timeout: 15_000 });
    await page.locator('#toast', { hasText: 'Revoke sent' }).waitFor();
    await row(pending).and(page.locator('[data-state="REVOKED"]')).waitFor({ timeout: 15_000 });
    const running = await send('tasks.sleep', [20_000]);
    await go(`task/${running}`);
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 15_000 }).toBe('STARTED');
    const terminate = page.getByTestId(`terminate-${running}`);
    await terminate.click();
    await expect.poll(() => terminate.textContent()).toBe('Really terminate?');
    await terminate.click();
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 15_000 }).toBe('REVOKED');
    await go('tasks');
  }, 60_000);

  it('shows workers online first and a worker page with its pool, queues and tasks, and runs its actions', async () => {
    spare = f.app.worker({ queues: [f.queue], hostname: `spare_${f.worker.hostname}`, sendEvents: true, heartbeatInterval: 1 });
    await spare.start();
    await page.locator('nav a[data-view=workers]').click();
    await page.locator(`#workers li[data-worker="${spare.hostname}"].online`).waitFor({ timeout: 15_000 });
    await page.locator(`#workers li[data-worker="${f.worker.hostname}"] a`).click();
    await expect.poll(() => page.getByTestId('worker-pool').textContent(), { timeout: 10_000 }).toContain('max concurrency 4');
    expect(await page.getByTestId('worker-queues').textContent()).toBe(f.queue);
    await page.getByTestId('pool-grow').click();
    await page.locator('#toast', { hasText: 'pool will grow' }).waitFor();
    expect(f.worker.options.concurrency).toBe(5);
    await expect.poll(() => page.getByTestId('worker-pool').textContent(), { timeout: 10_000 }).toContain('max concurrency 5');
    await page.getByTestId('pool-shrink').click();
    await page.locator('#toast', { hasText: 'pool will shrink' }).waitFor();
    const form = page.getByTestId('rate-limit-form');
    await form.locator('select').selectOption('tasks.add');
    await form.locator('input').fill('100/m');
    await form.locator('button').click();
    await page.locator('#toast', { hasText: 'new rate limit set' }).waitFor();
    await shot('dashboard-worker.png');
    // shut the spare worker down from its page (two clicks), and it goes offline in the list
    await go(`worker/${spare.hostname}`);
    const shutdown = page.getByTestId('shutdown');
    await shutdown.click();
    await shutdown.click();
    await eventually(() => spare!.state === 'stopped', 15_000);
    await page.locator('nav a[data-view=workers]').click();
    await page.locator(`#workers li[data-worker="${spare.hostname}"].offline`).waitFor({ timeout: 15_000 });
    const order = await page.locator('#workers li').evaluateAll((ls) => ls.map((l) => l.className));
    expect(order.indexOf('offline')).toBeGreaterThan(order.indexOf('online'));
    await f.app.control.broadcast('rate_limit', { task_name: 'tasks.add', rate_limit: null }, { timeout: 500 });
  }, 60_000);

  it('shows queues and browses dead letters: reason, requeue and delete', async () => {
    for (const [i, task] of [[0, 'tasks.unknown'], [1, 'tasks.unknown']] as const) {
      await f.app.sendTask(task, [i]); // nobody runs tasks.unknown: NotRegistered, dead-lettered
    }
    await page.locator('nav a[data-view=queues]').click();
    await page.locator(`#queues tr[data-queue="${f.queue}"]`).waitFor({ timeout: 10_000 });
    await page.getByTestId(`dead-letters-${f.queue}`).locator('a').click({ timeout: 15_000 });
    const cards = page.locator('#dead-letters article.dead-letter');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
    expect(await cards.first().getByTestId('dl-reason').textContent()).toContain('NotRegistered');
    await shot('dashboard-dead-letters.png');
    const [firstKey, secondKey] = await cards.evaluateAll((as) => as.map((a) => a.getAttribute('data-key')));
    const del = cards.nth(1).getByTestId('delete');
    await del.click();
    await del.click();
    await page.locator('#toast', { hasText: 'Deleted' }).waitFor();
    await expect.poll(() => page.locator(`#dead-letters article[data-key="${secondKey}"]`).count(), { timeout: 10_000 }).toBe(0);
    const requeue = page.locator(`#dead-letters article[data-key="${firstKey}"]`).getByTestId('requeue');
    await requeue.click();
    await requeue.click();
    await page.locator('#toast', { hasText: `Sent back to ${f.queue}` }).waitFor();
    // the worker receives it again, cannot run it again, and it is dead-lettered afresh (a new key)
    await expect.poll(async () => {
      const keys = await cards.evaluateAll((as) => as.map((a) => a.getAttribute('data-key')));
      return keys.length === 1 && keys[0] !== firstKey;
    }, { timeout: 15_000 }).toBe(true);
  }, 60_000);

  it('offers no action in read-only mode', async () => {
    const id = await send('tasks.fail', ['read-only']);
    const ro = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    ro.on('pageerror', (err) => pageErrors.push(err.message));
    await ro.goto(`${http.url}/ro/`);
    await ro.locator(`#tasks tr[data-task-id="${id}"][data-state="FAILURE"]`).waitFor({ timeout: 15_000 });
    expect(await ro.getByTestId('mode').textContent()).toContain('read-only');
    expect(await ro.locator('#tasks button').count()).toBe(0);
    await ro.evaluate(`location.hash = ${JSON.stringify(`worker/${f.worker.hostname}`)}`);
    await ro.getByTestId('worker-pool').waitFor({ timeout: 10_000 });
    expect(await ro.locator('#worker button').count()).toBe(0);
    await ro.evaluate(`location.hash = ${JSON.stringify(`dead-letters/${f.queue}`)}`);
    await ro.locator('#dead-letters article').first().waitFor({ timeout: 10_000 });
    expect(await ro.locator('#dead-letters button').count()).toBe(0);
    await ro.close();
  }, 40_000);

  it('fits a phone screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    phone.on('pageerror', (err) => pageErrors.push(err.message));
    await phone.goto(`${http.url}/admin/tasks/`);
    await phone.locator('#tasks tr').first().waitFor({ timeout: 15_000 });
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    expect(await phone.locator('#tasks tr td.opt').first().isVisible()).toBe(false);
    expect(await phone.locator('nav a[data-view=queues]').isVisible()).toBe(true);
    await phone.screenshot({ path: resolve(ARTIFACTS, 'dashboard-phone.png'), fullPage: false });
    await phone.locator('#tasks tr').first().click();
    await phone.getByTestId('detail-state').waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await phone.close();
  }, 40_000);

  it('renders markup in arguments as text', async () => {
    const evil = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=2</script>'];
    const id = await send('tasks.echo', evil);
    await go('tasks');
    await row(id).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 15_000 });
    expect(await row(id).locator('td').nth(3).textContent()).toContain('<img src=x onerror=');
    expect(await page.locator('#tasks img, #tasks script').count()).toBe(0);
    await row(id).click();
    await expect.poll(() => page.getByTestId('detail-result').textContent(), { timeout: 10_000 }).toContain('<script>');
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  }, 40_000);
});
