/**
 * The dashboard's browser script, part 4 of 5: workers (online first, offline ones until they
 * age out) and a worker's page: pool, queues, active / reserved / scheduled tasks, stats, and
 * its actions (shutdown, pool grow/shrink, rate limit, add/cancel consumer).
 */
export const CLIENT_WORKERS = String.raw`
  var workersSig = '';
  var workerSig = '';

  function renderWorkers(monitor) {
    var sig = JSON.stringify(monitor.workers.map(function (w) { return [w.hostname, w.online, w.active, w.processed]; }));
    if (sig === workersSig) return;
    workersSig = sig;
    var ul = clear($('workers'));
    if (monitor.workers.length === 0) ul.appendChild(el('li', 'muted', 'No worker events yet.'));
    monitor.workers.forEach(function (w) {
      var li = el('li', w.online ? 'online' : 'offline');
      li.setAttribute('data-worker', w.hostname);
      var host = el('div', 'host');
      host.appendChild(el('span', w.online ? 'dot online' : 'dot'));
      host.appendChild(link(w.hostname, 'worker/' + w.hostname));
      li.appendChild(host);
      var ago = Math.max(0, Math.round(Date.now() / 1000 - w.last_heartbeat));
      var meta = (w.online ? 'online' : 'offline') + ' · seen ' + ago + 's ago';
      if (w.active !== null) meta += ' · active ' + w.active;
      if (w.processed !== null) meta += ' · processed ' + w.processed;
      if (w.sw_ident) meta += ' · ' + w.sw_ident + ' ' + str(w.sw_ver);
      li.appendChild(el('div', 'meta', meta));
      ul.appendChild(li);
    });
  }

  views.workers = {
    tab: 'workers', section: 'workers',
    refresh: function () { return api('GET', '/api/monitor').then(renderWorkers); },
  };

  function requestTable(title, items, testid) {
    var wrap = el('div', 'subtable');
    wrap.appendChild(el('h3', '', title + ' (' + items.length + ')'));
    var table = el('table', 'compact');
    table.setAttribute('data-testid', testid);
    var tb = el('tbody');
    items.forEach(function (it) {
      var r = it.request || it;
      var tr = el('tr');
      var id = el('td', 'mono');
      id.appendChild(link(String(r.id).slice(0, 8), 'task/' + r.id));
      tr.appendChild(id);
      tr.appendChild(el('td', 'mono', r.name));
      tr.appendChild(el('td', 'mono clip', str(r.args)));
      tr.appendChild(el('td', 'nowrap', it.eta ? 'eta ' + it.eta : r.time_start ? fmtTime(r.time_start) : ''));
      tb.appendChild(tr);
    });
    table.appendChild(tb);
    wrap.appendChild(table);
    return wrap;
  }

  function workerActions(name, w) {
    var box = el('div', 'worker-actions');
    if (READ_ONLY) return box;
    var act = function (action, body) {
      return api('POST', '/api/worker/' + encodeURIComponent(name) + '/' + action, body || {}).then(function (res) {
        var r = res.reply;
        toast(action + ': ' + (r && (r.ok || r.error) ? (r.ok || r.error) : 'sent'), !!(r && r.error));
        workerSig = '';
        pollSoon();
      });
    };
    var pool = el('div', 'row');
    pool.appendChild(el('span', 'label', 'Pool'));
    pool.appendChild(actionButton('+1', '', 'pool-grow', function () { return act('pool_grow', { n: 1 }); }));
    pool.appendChild(actionButton('−1', '', 'pool-shrink', function () { return act('pool_shrink', { n: 1 }); }));
    box.appendChild(pool);
    var rate = el('form', 'row');
    rate.setAttribute('data-testid', 'rate-limit-form');
    rate.appendChild(el('span', 'label', 'Rate limit'));
    var task = el('select');
    task.setAttribute('aria-label', 'task');
    (w.registered || []).forEach(function (t) { var o = el('option', '', t); o.value = t; task.appendChild(o); });
    var value = el('input');
    value.placeholder = '10/m (empty: none)';
    value.setAttribute('aria-label', 'rate');
    var set = el('button', '', 'Set');
    set.type = 'submit';
    rate.appendChild(task); rate.appendChild(value); rate.appendChild(set);
    rate.addEventListener('submit', function (ev) { ev.preventDefault(); act('rate_limit', { task: task.value, rate: value.value.trim() }).catch(function (err) { toast(err.message, true); }); });
    box.appendChild(rate);
    var consuming = (w.active_queues || []).map(function (q) { return q.name; });
    var queues = el('div', 'row');
    queues.appendChild(el('span', 'label', 'Queues'));
    QUEUES.forEach(function (q) {
      var on = consuming.indexOf(q) >= 0;
      queues.appendChild(actionButton((on ? 'Stop ' : 'Consume ') + q, on ? 'revoke' : '', (on ? 'cancel-' : 'add-') + q, function () { return act(on ? 'cancel_consumer' : 'add_consumer', { queue: q }); }));
    });
    box.appendChild(queues);
    var stop = el('div', 'row');
    stop.appendChild(actionButton('Shut down', 'revoke', 'shutdown', function () { return act('shutdown'); }, 'Really shut down?'));
    box.appendChild(stop);
    return box;
  }

  function renderWorker(name, data) {
    var w = data[name];
    var sig = JSON.stringify(w || null);
    if (sig === workerSig) return;
    workerSig = sig;
    var box = clear($('worker'));
    box.appendChild(link('← Workers', 'workers', 'back'));
    box.appendChild(el('h2', 'mono', name));
    if (!w) { box.appendChild(el('p', 'muted', 'This worker did not answer (offline, or busy).')); return; }
    var s = w.stats || {};
    var dl = el('dl');
    var pool = s.pool || {};
    field(dl, 'Pool', (pool.implementation || '') + ' · max concurrency ' + str(pool['max-concurrency']), 'worker-pool');
    field(dl, 'Prefetch', s.prefetch_count);
    field(dl, 'Uptime', typeof s.uptime === 'number' ? fmtSeconds(s.uptime) : '');
    field(dl, 'PID', s.pid);
    field(dl, 'Broker', s.broker && s.broker.url);
    field(dl, 'Processed', s.total ? Object.keys(s.total).map(function (k) { return k + ': ' + s.total[k]; }).join(', ') : '');
    field(dl, 'Queues', (w.active_queues || []).map(function (q) { return q.name; }).join(', '), 'worker-queues');
    box.appendChild(dl);
    box.appendChild(workerActions(name, w));
    box.appendChild(requestTable('Active', w.active || [], 'worker-active'));
    box.appendChild(requestTable('Reserved', w.reserved || [], 'worker-reserved'));
    box.appendChild(requestTable('Scheduled', w.scheduled || [], 'worker-scheduled'));
    block(box, 'Registered tasks', (w.registered || []).join('\n'));
  }

  views.worker = {
    tab: 'workers', section: 'worker',
    enter: function () { workerSig = ''; clear($('worker')).appendChild(el('p', 'muted', 'Asking the worker…')); },
    refresh: function (name) {
      return api('GET', '/api/workers' + qs({ workername: name })).then(function (data) { if (current.arg === name) renderWorker(name, data); });
    },
  };
`;
