/**
 * The dashboard's browser script (inlined in the page; plain ES2017, no dependencies). It
 * polls the router's JSON API every second and builds the DOM with `textContent` and
 * `setAttribute` only (never `innerHTML`), so task names, arguments, results and tracebacks
 * cannot inject markup. Kept as a raw string: no backticks or `${` inside.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('celeriac-config').textContent);
  var BASE = String(cfg.base || '');
  var READ_ONLY = cfg.readOnly === true;
  var REVOCABLE = { PENDING: true, RECEIVED: true, RETRY: true };
  var rows = new Map();
  var sigs = new Map();
  var selected = null;
  var detailSig = '';
  var stateFilter = '';
  var timer = null;
  var inflight = false;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function str(v) { return v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v); }

  function api(method, path, body) {
    var init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(BASE + path, init).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (!res.ok) throw new Error(data && typeof data.error === 'string' ? data.error : 'HTTP ' + res.status);
        return data;
      });
    });
  }

  function fmtTime(ts) { return typeof ts === 'number' && ts > 0 ? new Date(ts * 1000).toLocaleTimeString() : ''; }
  function fmtDate(ts) { return typeof ts === 'number' && ts > 0 ? new Date(ts * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC') : ''; }
  function fmtRuntime(s) { return typeof s === 'number' ? (s < 1 ? (s * 1000).toFixed(1) + ' ms' : s.toFixed(2) + ' s') : ''; }
  function firstSeen(t) { return t.sent || t.received || t.started || t.timestamp || 0; }
  function badge(state) {
    var b = el('span', 'badge', state);
    if (/^[A-Z]+$/.test(state)) b.classList.add(state);
    return b;
  }

  var toastTimer = null;
  function toast(message, isError) {
    var t = $('toast');
    t.textContent = message;
    t.className = isError ? 'toast error' : 'toast';
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 4000);
  }
  function setStatus(text, isError) {
    var s = $('status');
    s.textContent = text;
    s.className = isError ? 'status error' : 'status';
  }

  function actionButtons(t) {
    var out = [];
    if (READ_ONLY) return out;
    if ((t.state === 'FAILURE' || t.state === 'REVOKED') && t.retryable && !t.retried_as) out.push(button('retry', 'Retry', t.uuid));
    if (REVOCABLE[t.state]) out.push(button('revoke', 'Revoke', t.uuid));
    return out;
  }
  function button(action, label, id) {
    var b = el('button', action, label);
    b.type = 'button';
    b.setAttribute('data-action', action);
    b.setAttribute('data-id', id);
    return b;
  }

  function signature(t) { return [t.state, t.timestamp, t.runtime, t.worker, t.retryable, t.retried_as, t.name, t.args, t.kwargs, t.uuid === selected].join('|'); }
  function argsText(t) {
    var a = str(t.args);
    var k = str(t.kwargs);
    return k && k !== '{}' ? a + ' ' + k : a;
  }
  function buildRow(t) {
    var tr = el('tr');
    tr.setAttribute('data-task-id', t.uuid);
    tr.setAttribute('data-state', t.state);
    tr.setAttribute('data-name', str(t.name));
    if (t.uuid === selected) tr.className = 'selected';
    var state = el('td');
    state.appendChild(badge(t.state));
    tr.appendChild(state);
    tr.appendChild(el('td', 'mono', t.name || '?'));
    var id = el('td', 'mono opt', String(t.uuid).slice(0, 8));
    id.title = t.uuid;
    tr.appendChild(id);
    var args = el('td', 'mono clip', argsText(t));
    args.title = argsText(t);
    tr.appendChild(args);
    tr.appendChild(el('td', 'nowrap', fmtTime(firstSeen(t))));
    tr.appendChild(el('td', 'nowrap', fmtRuntime(t.runtime)));
    tr.appendChild(el('td', 'clip opt', t.worker || ''));
    var actions = el('td');
    actionButtons(t).forEach(function (b) { actions.appendChild(b); });
    tr.appendChild(actions);
    return tr;
  }

  function renderTasks(data) {
    var list = Object.keys(data || {}).map(function (k) { return data[k]; });
    list.sort(function (a, b) { return firstSeen(b) - firstSeen(a); });
    var tbody = $('tasks');
    var seen = new Set();
    list.forEach(function (t, i) {
      var sig = signature(t);
      var row = rows.get(t.uuid);
      if (!row || sigs.get(t.uuid) !== sig) {
        var fresh = buildRow(t);
        if (row && row.parentNode) row.parentNode.replaceChild(fresh, row);
        row = fresh;
        rows.set(t.uuid, row);
        sigs.set(t.uuid, sig);
      }
      seen.add(t.uuid);
      if (tbody.children[i] !== row) tbody.insertBefore(row, tbody.children[i] || null);
    });
    rows.forEach(function (row, id) {
      if (!seen.has(id)) { row.remove(); rows.delete(id); sigs.delete(id); }
    });
    $('empty').hidden = list.length > 0;
    $('count').textContent = list.length + ' shown';
  }

  function renderWorkers(monitor) {
    var ul = $('workers');
    clear(ul);
    var workers = (monitor && monitor.workers) || [];
    if (workers.length === 0) ul.appendChild(el('li', 'muted', 'No worker events yet.'));
    workers.forEach(function (w) {
      var li = el('li');
      li.setAttribute('data-worker', w.hostname);
      var host = el('div', 'host');
      host.appendChild(el('span', w.online ? 'dot online' : 'dot'));
      host.appendChild(document.createTextNode(w.hostname));
      li.appendChild(host);
      var ago = Math.max(0, Math.round(Date.now() / 1000 - w.last_heartbeat));
      var meta = (w.online ? 'online' : 'offline') + ' · seen ' + ago + 's ago';
      if (w.active !== null) meta += ' · active ' + w.active;
      if (w.processed !== null) meta += ' · processed ' + w.processed;
      if (w.sw_ident) meta += ' · ' + w.sw_ident + ' ' + str(w.sw_ver);
      li.appendChild(el('div', 'meta', meta));
      ul.appendChild(li);
    });
    $('mode').textContent = (monitor && monitor.read_only ? 'read-only · ' : '') + (monitor ? monitor.tasks_tracked + ' tasks tracked' : '');
  }

  function renderQueues(data) {
    var tbody = $('queues');
    clear(tbody);
    ((data && data.active_queues) || []).forEach(function (q) {
      var tr = el('tr');
      tr.setAttribute('data-queue', q.name);
      tr.appendChild(el('td', 'mono', q.name));
      tr.appendChild(el('td', '', q.messages === null ? '–' : q.messages));
      tr.appendChild(el('td', '', q.consumers === null ? '–' : q.consumers));
      tbody.appendChild(tr);
    });
  }

  function field(dl, label, value, testid) {
    if (value === null || value === undefined || value === '') return;
    dl.appendChild(el('dt', '', label));
    var dd = el('dd', '', value);
    if (testid) dd.setAttribute('data-testid', testid);
    dl.appendChild(dd);
  }
  function block(parent, label, text, testid) {
    if (text === null || text === undefined || text === '') return;
    parent.appendChild(el('h2', '', label));
    var pre = el('pre', 'mono', text);
    if (testid) pre.setAttribute('data-testid', testid);
    parent.appendChild(pre);
  }

  function renderDetail(info) {
    var aside = $('detail');
    if (!info) return;
    var sig = JSON.stringify(info);
    if (sig === detailSig) return;
    detailSig = sig;
    clear(aside);
    var close = el('button', 'close', 'Close');
    close.type = 'button';
    close.setAttribute('data-close', '');
    aside.appendChild(close);
    aside.appendChild(el('h3', 'mono', info.name || 'unknown task'));
    var state = badge(info.state);
    state.setAttribute('data-testid', 'detail-state');
    aside.appendChild(state);
    var dl = el('dl');
    field(dl, 'Id', info.uuid, 'detail-id');
    field(dl, 'Worker', info.worker);
    field(dl, 'Retries', info.retries);
    field(dl, 'Sent', fmtDate(info.sent));
    field(dl, 'Received', fmtDate(info.received));
    field(dl, 'Started', fmtDate(info.started));
    field(dl, 'Succeeded', fmtDate(info.succeeded));
    field(dl, 'Failed', fmtDate(info.failed));
    field(dl, 'Revoked', fmtDate(info.revoked));
    field(dl, 'Runtime', fmtRuntime(info.runtime));
    field(dl, 'ETA', info.eta);
    field(dl, 'Expires', info.expires);
    field(dl, 'Retry of', info.retry_of);
    field(dl, 'Retried as', info.retried_as, 'detail-retried-as');
    aside.appendChild(dl);
    block(aside, 'Args', str(info.args), 'detail-args');
    block(aside, 'Kwargs', str(info.kwargs), 'detail-kwargs');
    var backend = info.backend;
    if (backend && backend.status === 'SUCCESS') block(aside, 'Result', JSON.stringify(backend.result, null, 2), 'detail-result');
    else block(aside, 'Result', info.result, 'detail-result');
    block(aside, 'Exception', info.exception, 'detail-exception');
    block(aside, 'Traceback', info.traceback || (backend && backend.traceback), 'detail-traceback');
    var actions = el('div', 'actions');
    actionButtons(info).forEach(function (b) { actions.appendChild(b); });
    aside.appendChild(actions);
  }

  function select(id) {
    selected = id;
    detailSig = '';
    rows.forEach(function (row, rid) { row.classList.toggle('selected', rid === id); });
    var aside = $('detail');
    aside.hidden = id === null;
    document.querySelector('main').classList.toggle('with-detail', id !== null);
    if (id === null) return;
    clear(aside);
    aside.appendChild(el('p', 'muted', 'Loading…'));
    api('GET', '/api/task/info/' + encodeURIComponent(id)).then(function (info) {
      if (selected === id) renderDetail(info);
    }).catch(function (err) { if (selected === id) { clear(aside); aside.appendChild(el('p', 'muted', err.message)); } });
  }

  function act(action, id, btn) {
    btn.disabled = true;
    var path = (action === 'retry' ? '/api/task/retry/' : '/api/task/revoke/') + encodeURIComponent(id);
    api('POST', path, {}).then(function (res) {
      if (action === 'retry') { toast('Sent again as ' + res['task-id']); select(res['task-id']); }
      else toast('Revoke sent for ' + id);
      pollSoon();
    }).catch(function (err) {
      toast(err.message, true);
      btn.disabled = false;
    });
  }

  document.addEventListener('click', function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) return;
    var btn = target.closest('button[data-action]');
    if (btn) { act(btn.getAttribute('data-action'), btn.getAttribute('data-id'), btn); return; }
    if (target.closest('[data-close]')) { select(null); return; }
    var tr = target.closest('#tasks tr[data-task-id]');
    if (tr) select(tr.getAttribute('data-task-id'));
  });
  $('state-filter').addEventListener('change', function (ev) {
    stateFilter = ev.target.value;
    pollSoon();
  });

  function poll() {
    if (inflight) return;
    inflight = true;
    var q = '/api/tasks?limit=200' + (stateFilter ? '&state=' + encodeURIComponent(stateFilter) : '');
    var info = selected ? api('GET', '/api/task/info/' + encodeURIComponent(selected)).catch(function () { return null; }) : null;
    Promise.all([api('GET', q), api('GET', '/api/monitor'), api('GET', '/api/queues/length'), info]).then(function (r) {
      renderTasks(r[0]);
      renderWorkers(r[1]);
      renderQueues(r[2]);
      if (selected) renderDetail(r[3]);
      setStatus('live · ' + new Date().toLocaleTimeString(), false);
    }).catch(function (err) {
      setStatus('error: ' + err.message, true);
    }).then(function () {
      inflight = false;
      clearTimeout(timer);
      timer = setTimeout(poll, 1000);
    });
  }
  function pollSoon() {
    clearTimeout(timer);
    if (inflight) timer = setTimeout(pollSoon, 100);
    else poll();
  }
  poll();
})();
`;
