/** The dashboard's stylesheet (inlined in the page): one column on a phone, wider layouts from 760 px. */
export const DASHBOARD_STYLE = `
:root { --bg:#f6f7f9; --fg:#1d2330; --muted:#6b7280; --line:#e3e6ea; --card:#fff; --accent:#2f6f4f;
  --ok:#1f8a4c; --bad:#c0392b; --warn:#b7791f; --info:#2563eb; --violet:#7c3aed; --cyan:#0891b2;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font-size: 14px; }
a { color: var(--accent); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 10px 16px; background: var(--accent); color: #fff; }
header h1 { font-size: 18px; margin: 0; letter-spacing: .5px; }
nav { display: flex; gap: 4px; }
nav a { color: #fff; text-decoration: none; padding: 4px 10px; border-radius: 14px; opacity: .85; }
nav a.active { background: rgba(255,255,255,.2); opacity: 1; font-weight: 600; }
.status { font-size: 12px; opacity: .9; }
.status.error { background: var(--bad); padding: 2px 8px; border-radius: 10px; }
.mode { margin-left: auto; font-size: 12px; }
main { padding: 12px 16px 40px; max-width: 1400px; margin: 0 auto; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
h2 { font-size: 16px; margin: 4px 0 8px; word-break: break-all; }
h3 { font-size: 12px; text-transform: uppercase; color: var(--muted); margin: 14px 0 6px; letter-spacing: .6px; }
.muted { color: var(--muted); }
.mono, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.counts { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; padding: 0; margin: 0 0 10px; }
.counts li { background: var(--card); border: 1px solid var(--line); border-radius: 16px; padding: 3px 10px; cursor: pointer; display: flex; gap: 6px; align-items: center; }
.counts li.active { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent) inset; }
.counts .n { font-weight: 600; }
.charts { display: grid; grid-template-columns: 1fr; gap: 10px; margin-bottom: 10px; }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
figcaption { font-size: 12px; font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 100%; height: 120px; display: block; }
.chart .axis { stroke: var(--line); }
.chart .axis-label { font-size: 11px; fill: var(--muted); }
.chart .line { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; }
.line.received, .key.received::before { stroke: var(--cyan); background: var(--cyan); }
.line.succeeded, .key.succeeded::before { stroke: var(--ok); background: var(--ok); }
.line.failed, .key.failed::before { stroke: var(--bad); background: var(--bad); }
.line.retried, .key.retried::before { stroke: var(--warn); background: var(--warn); }
.line.runtimeAvg, .key.runtimeAvg::before { stroke: var(--info); background: var(--info); }
.line.runtimeMax, .key.runtimeMax::before { stroke: var(--violet); background: var(--violet); }
.chart .dot.received { fill: var(--cyan); } .chart .dot.succeeded { fill: var(--ok); } .chart .dot.failed { fill: var(--bad); }
.chart .dot.retried { fill: var(--warn); } .chart .dot.runtimeAvg { fill: var(--info); } .chart .dot.runtimeMax { fill: var(--violet); }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 11px; color: var(--muted); }
.key::before { content: ""; display: inline-block; width: 10px; height: 3px; margin-right: 4px; vertical-align: middle; }
.filters { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 10px; align-items: center; }
.filters input, .filters select, .worker-actions input, .worker-actions select { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; background: #fff; min-width: 0; }
.filters input[type=search] { flex: 1 1 220px; }
.filters label { font-size: 12px; color: var(--muted); display: flex; gap: 4px; align-items: center; }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num { text-align: right; }
.task-list tbody tr { cursor: pointer; }
.task-list tbody tr:hover { background: #f0f5f2; }
.clip { max-width: 260px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.nowrap { white-space: nowrap; }
td.actions { white-space: nowrap; }
.pager { display: flex; justify-content: space-between; align-items: center; margin-top: 8px; gap: 8px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11px; font-weight: 600; color: #fff; background: var(--muted); }
.badge.SUCCESS { background: var(--ok); } .badge.FAILURE { background: var(--bad); } .badge.REVOKED { background: var(--violet); }
.badge.STARTED { background: var(--info); } .badge.RETRY { background: var(--warn); } .badge.RECEIVED { background: var(--cyan); }
button { font: inherit; font-size: 12px; padding: 4px 10px; border-radius: 4px; border: 1px solid var(--line); background: #fff; cursor: pointer; margin: 1px 2px; }
button.retry { border-color: var(--accent); color: var(--accent); }
button.revoke { border-color: var(--bad); color: var(--bad); }
button.armed { background: var(--bad); color: #fff; }
button:disabled { opacity: .5; cursor: default; }
dl { display: grid; grid-template-columns: 110px 1fr; gap: 4px 10px; margin: 10px 0; }
dt { color: var(--muted); font-size: 12px; }
dd { margin: 0; word-break: break-all; }
pre { background: #f3f4f6; padding: 8px; border-radius: 4px; overflow: auto; max-height: 280px; white-space: pre-wrap; word-break: break-word; margin: 4px 0 10px; }
.detail-head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.detail-head .actions { margin-left: auto; }
.timeline { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.timeline li { border-left: 3px solid var(--info); background: #f3f6fb; padding: 4px 8px; border-radius: 4px; display: flex; flex-direction: column; min-width: 150px; }
.timeline li.succeeded { border-color: var(--ok); } .timeline li.failed { border-color: var(--bad); } .timeline li.retried { border-color: var(--warn); } .timeline li.revoked { border-color: var(--violet); }
.timeline .what { font-weight: 600; } .timeline .when, .timeline .gap { font-size: 11px; color: var(--muted); }
.graph-wrap { overflow-x: auto; }
svg.graph { max-width: 100%; height: auto; }
.graph .edge { fill: none; stroke: #9ca3af; stroke-width: 1.5; }
.graph .node rect { fill: #fff; stroke: var(--muted); stroke-width: 1.5; }
.graph .node.SUCCESS rect { stroke: var(--ok); } .graph .node.FAILURE rect { stroke: var(--bad); } .graph .node.STARTED rect { stroke: var(--info); }
.graph .node.selected rect { stroke-width: 3; fill: #eef6f1; }
.graph text { font-size: 12px; fill: var(--fg); } .graph text.sub { font-size: 10px; fill: var(--muted); }
.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; grid-template-columns: 1fr; }
.cards li { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.cards li.offline { opacity: .65; }
.cards .host { font-weight: 600; word-break: break-all; }
.cards .meta { color: var(--muted); font-size: 12px; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--muted); }
.dot.online { background: var(--ok); }
.worker-actions .row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.worker-actions .label { width: 90px; color: var(--muted); font-size: 12px; }
.subtable table.compact td { font-size: 12px; }
.back { display: inline-block; margin-bottom: 6px; }
.dead-letter { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 8px 0; }
.dl-head { display: flex; flex-wrap: wrap; gap: 10px; }
.reason { color: var(--bad); margin: 6px 0; word-break: break-word; }
.relations a { margin-right: 4px; }
.toast { position: fixed; bottom: 16px; right: 16px; left: 16px; margin-left: auto; background: var(--fg); color: #fff; padding: 8px 14px; border-radius: 6px; max-width: 420px; }
.toast.error { background: var(--bad); }
@media (max-width: 759px) {
  .opt { display: none; }
  .clip { max-width: 140px; }
  .filters label { flex: 1 1 45%; }
  .filters input:not([type=search]), .filters select { flex: 1 1 45%; }
  dl { grid-template-columns: 90px 1fr; }
  main { padding: 8px; }
}
@media (min-width: 760px) {
  .charts { grid-template-columns: 1fr 1fr; }
  .cards { grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); }
}
`;
