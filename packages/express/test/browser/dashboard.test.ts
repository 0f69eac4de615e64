/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against
 * RabbitMQ with the rpc backend: a task sent by the test shows as succeeded, a failed one is
 * retried from the page and then succeeds, a pending one is revoked from the page, and
 * markup in task arguments is shown as text. Saves `test-artifacts/dashboard.png`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, startAmqpFixture, type AmqpFixture } from '../support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium)`);
}
if (!available) console.warn(`[dashboard.test] skipped: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);

describe.skipIf(!available)('dashboard in chromium', () => {
  let f: AmqpFixture;
  let http: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    f = await startAmqpFixture({ backend: 'rpc://' });
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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await f?.close();
  });

  const row = (id: string) => page.locator(`#tasks tr[data-task-id="${id}"]`);

  async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${http.url}/admin/tasks${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('shows a task sent by the test as succeeded, with its result in the detail view', async () => {
    const sent = await post('/api/task/async-apply/tasks.add', { args: [40, 2] });
    expect(sent.status).toBe(202);
    const id = sent.body['task-id'] as string;
    await row(id).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 10_000 });
    await row(id).click();
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 5000 }).toBe('SUCCESS');
    expect(await page.getByTestId('detail-result').textContent()).toBe('42');
    expect(await page.getByTestId('detail-args').textContent()).toBe('[40, 2]');
    await page.locator('#detail [data-close]').click();
    // the worker shows up through its heartbeats, and the queue through the router
    await page.locator(`#workers li[data-worker="${f.worker.hostname}"]`).waitFor();
    await page.locator(`#queues tr[data-queue="${f.names.queue}"]`).waitFor();
  }, 30_000);

  it('retries a failed task from the page, and the retry succeeds', async () => {
    const sent = await post('/api/task/async-apply/tasks.flaky', { args: [21] });
    const id = sent.body['task-id'] as string;
    await row(id).and(page.locator('[data-state="FAILURE"]')).waitFor({ timeout: 10_000 });
    f.flaky.healthy = true;
    await row(id).locator('button[data-action="retry"]').click();
    await page.locator('#toast', { hasText: 'Sent again as' }).waitFor();
    await expect.poll(() => f.router.monitor.get(id)?.retried_as ?? null, { timeout: 5000 }).not.toBeNull();
    const retryId = f.router.monitor.get(id)!.retried_as!;
    await row(retryId).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 10_000 });
    // the retry is selected: its detail shows the result and the link back
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 5000 }).toBe('SUCCESS');
    expect(await page.getByTestId('detail-result').textContent()).toBe('42');
    expect(await f.app.asyncResult(retryId).get({ timeout: 5000 })).toBe(42);
    // the original keeps its FAILURE and no longer offers a retry
    await expect.poll(() => row(id).locator('button[data-action="retry"]').count()).toBe(0);
  }, 30_000);

  it('revokes a pending task from the page', async () => {
    const sent = await post('/api/task/async-apply/tasks.add', { args: [1, 1], options: { countdown: 2 } });
    const id = sent.body['task-id'] as string;
    await row(id).locator('button[data-action="revoke"]').click({ timeout: 10_000 });
    await page.locator('#toast', { hasText: 'Revoke sent' }).waitFor();
    await row(id).and(page.locator('[data-state="REVOKED"]')).waitFor({ timeout: 10_000 });
  }, 30_000);

  it('renders markup in arguments as text, and saves a screenshot', async () => {
    const evil = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=2</script>'];
    const sent = await post('/api/task/async-apply/tasks.echo', { args: evil });
    const id = sent.body['task-id'] as string;
    await row(id).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 10_000 });
    const text = await row(id).locator('td').nth(3).textContent();
    expect(text).toContain('<img src=x onerror=');
    expect(await page.locator('#tasks img, #tasks script').count()).toBe(0);
    await row(id).click();
    await expect.poll(() => page.getByTestId('detail-result').textContent(), { timeout: 5000 }).toContain('<script>');
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(existsSync(resolve(ARTIFACTS, 'dashboard.png'))).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
