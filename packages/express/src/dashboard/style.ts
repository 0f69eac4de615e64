/** The dashboard's stylesheet (inlined in the page). */
export const DASHBOARD_STYLE = `
:root { --bg:#f6f7f9; --fg:#1d2330; --muted:#6b7280; --line:#e3e6ea; --card:#fff; --accent:#2f6f4f;
  --ok:#1f8a4c; --bad:#c0392b; --warn:#b7791f; --info:#2563eb; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font-size: 14px; }
header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: var(--accent); color: #fff; }
header h1 { font-size: 18px; margin: 0; letter-spacing: .5px; }
.status { font-size: 12px; opacity: .9; }
.status.error { background: var(--bad); padding: 2px 8px; border-radius: 10px; }
.mode { margin-left: auto; font-size: 12px; }
main { display: grid; grid-template-columns: 260px minmax(0, 1fr); gap: 16px; padding: 16px 20px; align-items: start; }
main.with-detail { grid-template-columns: 260px minmax(0, 1fr) minmax(0, 380px); }
main.with-detail .task-list .opt { display: none; }
.side { min-width: 0; }
.tasks { min-width: 0; overflow-x: auto; }
.queues td:first-child { word-break: break-all; }
.nowrap { white-space: nowrap; }
h2 { font-size: 13px; text-transform: uppercase; color: var(--muted); margin: 0 0 8px; letter-spacing: .6px; }
.side h2 + * { margin-bottom: 18px; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.cards li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.cards .host { font-weight: 600; word-break: break-all; }
.cards .meta { color: var(--muted); font-size: 12px; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--muted); }
.dot.online { background: var(--ok); }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
.task-list tbody tr { cursor: pointer; }
.task-list tbody tr:hover { background: #f0f4f2; }
.task-list tbody tr.selected { background: #e4efe9; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.clip { max-width: 200px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.toolbar { display: flex; align-items: center; gap: 12px; margin-bottom: 8px; }
.toolbar h2 { margin: 0; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11px; font-weight: 700; color: #fff; background: var(--muted); }
.badge.SUCCESS { background: var(--ok); } .badge.FAILURE { background: var(--bad); } .badge.REVOKED { background: #7c3aed; }
.badge.STARTED { background: var(--info); } .badge.RETRY { background: var(--warn); } .badge.RECEIVED { background: #0891b2; }
button { font: inherit; font-size: 12px; padding: 3px 10px; border-radius: 4px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
button.retry { border-color: var(--accent); color: var(--accent); }
button.revoke { border-color: var(--bad); color: var(--bad); }
button:disabled { opacity: .5; cursor: default; }
.detail { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; position: sticky; top: 12px; }
.detail h3 { margin: 0 0 4px; font-size: 15px; word-break: break-all; }
.detail dl { display: grid; grid-template-columns: 90px 1fr; gap: 4px 10px; margin: 10px 0; }
.detail dt { color: var(--muted); font-size: 12px; }
.detail dd { margin: 0; word-break: break-all; }
.detail pre { background: #f3f4f6; padding: 8px; border-radius: 4px; overflow: auto; max-height: 260px; white-space: pre-wrap; word-break: break-word; margin: 4px 0 10px; }
.detail .actions { display: flex; gap: 8px; margin-top: 8px; }
.detail .close { float: right; }
.toast { position: fixed; bottom: 16px; right: 16px; background: var(--fg); color: #fff; padding: 8px 14px; border-radius: 6px; max-width: 420px; }
.toast.error { background: var(--bad); }
`;
