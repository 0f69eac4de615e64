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
  /** Hide the retry and revoke buttons. */
  readOnly: boolean;
}

export interface DashboardPage {
  html: string;
  /** The Content-Security-Policy header to send with it. */
  csp: string;
}

/** Renders the page for one response (a fresh nonce each time). */
export function renderDashboard(options: DashboardPageOptions): DashboardPage {
  const nonce = randomBytes(16).toString('base64');
  const config = jsonForScript({ base: options.base, readOnly: options.readOnly });
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
  <span id="status" class="status" data-testid="status">connecting…</span>
  <span id="mode" class="mode"></span>
</header>
<main>
  <section class="side">
    <h2>Workers</h2>
    <ul id="workers" class="cards" data-testid="workers"></ul>
    <h2>Queues</h2>
    <table class="queues"><thead><tr><th>Queue</th><th>Messages</th><th>Consumers</th></tr></thead><tbody id="queues" data-testid="queues"></tbody></table>
  </section>
  <section class="tasks">
    <div class="toolbar">
      <h2>Tasks</h2>
      <label>State <select id="state-filter" data-testid="state-filter">
        <option value="">all</option><option>PENDING</option><option>RECEIVED</option><option>STARTED</option>
        <option>SUCCESS</option><option>FAILURE</option><option>RETRY</option><option>REVOKED</option>
      </select></label>
      <span id="count" class="muted"></span>
    </div>
    <table class="task-list">
      <thead><tr><th>State</th><th>Name</th><th class="opt">Id</th><th>Args</th><th>Time</th><th>Runtime</th><th class="opt">Worker</th><th></th></tr></thead>
      <tbody id="tasks" data-testid="tasks"></tbody>
    </table>
    <p id="empty" class="muted">No tasks seen yet. Workers send task events with <code>sendEvents: true</code> (Celery: <code>-E</code>).</p>
  </section>
  <aside id="detail" class="detail" data-testid="detail" hidden></aside>
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
