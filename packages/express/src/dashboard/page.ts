/**
 * The dashboard: one self-contained HTML page (inline CSS and vanilla JS, nothing fetched from
 * elsewhere, no build step) that polls the router's JSON API every second. It renders data
 * with `textContent` only, and a strict Content-Security-Policy with a per-response nonce
 * allows nothing but its own script and style.
 */
import { randomBytes } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './client-script.js';
import { DASHBOARD_STYLE } from './style.js';

export interface DashboardPageOptions {
  /** Where the router is mounted (`req.baseUrl`), e.g. `/admin/tasks`. */
  base: string;
  /** Hide every action (retry, revoke, worker and dead-letter actions). */
  readOnly: boolean;
  /** Queues this router knows (queue list, dead-letter browser, add/cancel consumer). @defaultValue [] */
  queues?: readonly string[];
}

export interface DashboardPage {
  html: string;
  /** The Content-Security-Policy header to send with it. */
  csp: string;
}

const STATES = ['PENDING', 'RECEIVED', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED', 'REJECTED'];

/** Renders the page for one response (a fresh nonce each time). */
export function renderDashboard(options: DashboardPageOptions): DashboardPage {
  const nonce = randomBytes(16).toString('base64');
  const config = jsonForScript({ base: options.base, readOnly: options.readOnly, queues: options.queues ?? [] });
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Celeriac tasks</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${DASHBOARD_STYLE}</style>
</head>
<body>
<header>
  <h1>Celeriac</h1>
  <nav aria-label="views">
    <a href="#tasks" data-view="tasks">Tasks</a><a href="#workers" data-view="workers">Workers</a><a href="#queues" data-view="queues">Queues</a>
  </nav>
  <span id="status" class="status" data-testid="status">connecting…</span>
  <span id="mode" class="mode" data-testid="mode">${options.readOnly ? 'read-only' : ''}</span>
</header>
<main>
  <section id="view-tasks" class="view">
    <ul id="counts" class="counts" data-testid="counts"></ul>
    <div class="charts">
      <figure><figcaption>Throughput <span id="chart-step" class="muted"></span></figcaption><div id="chart-throughput" data-testid="chart-throughput"></div></figure>
      <figure><figcaption>Runtime</figcaption><div id="chart-runtime" data-testid="chart-runtime"></div></figure>
    </div>
    <form id="filters" class="filters" data-testid="filters" autocomplete="off">
      <input id="f-text" type="search" placeholder="Search name, id, args, result…" aria-label="search" data-testid="f-text">
      <select id="f-state" aria-label="state" data-testid="f-state"><option value="">any state</option>${STATES.map((s) => `<option>${s}</option>`).join('')}</select>
      <input id="f-name" placeholder="task name (glob *)" aria-label="task name" data-testid="f-name">
      <input id="f-worker" placeholder="worker" aria-label="worker" data-testid="f-worker">
      <input id="f-id" placeholder="task id" aria-label="task id" data-testid="f-id">
      <label>from <input id="f-from" type="datetime-local" data-testid="f-from"></label>
      <label>to <input id="f-to" type="datetime-local" data-testid="f-to"></label>
      <button type="submit" data-testid="f-apply">Apply</button><button type="reset">Reset</button>
    </form>
    <div class="table-wrap">
      <table class="task-list">
        <thead><tr><th>State</th><th>Name</th><th class="opt">Id</th><th class="opt">Args</th><th>Time</th><th>Runtime</th><th class="opt">Worker</th><th></th></tr></thead>
        <tbody id="tasks" data-testid="tasks"></tbody>
      </table>
    </div>
    <p id="empty" class="muted">No tasks seen yet. Workers send task events with <code>sendEvents: true</code> (Celery: <code>-E</code>).</p>
    <div class="pager"><button id="page-prev" type="button" data-testid="page-prev" disabled>← Newer</button><span id="page-info" class="muted" data-testid="page-info"></span><button id="page-next" type="button" data-testid="page-next" disabled>Older →</button></div>
  </section>
  <section id="view-detail" class="view card" hidden><div id="detail" data-testid="detail"></div></section>
  <section id="view-workers" class="view" hidden><ul id="workers" class="cards" data-testid="workers"></ul></section>
  <section id="view-worker" class="view card" hidden><div id="worker" data-testid="worker"></div></section>
  <section id="view-queues" class="view" hidden>
    <div class="table-wrap"><table class="queues"><thead><tr><th>Queue</th><th>Messages</th><th>Rate</th><th>Consumers</th><th>Dead letters</th></tr></thead><tbody id="queues" data-testid="queues"></tbody></table></div>
  </section>
  <section id="view-dead-letters" class="view card" hidden><div id="dead-letters" data-testid="dead-letters"></div></section>
</main>
<div id="toast" class="toast" role="status" hidden></div>
<script type="application/json" id="celeriac-config">${config}</script>
<script nonce="${nonce}">${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

/** JSON that is safe inside a `<script>` element: `<`, `>`, `&` and line separators escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
