/**
 * The dashboard's browser script, part 2 of 5: the task list (search and filters by text,
 * state, name, worker, id and time range; paging through the history; per-state counts;
 * throughput and runtime charts) and the task actions shared with the detail view.
 */
export const CLIENT_TASKS = String.raw`
  var STATES = ['PENDING', 'RECEIVED', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED', 'REJECTED'];
  var filters = {};
  var cursors = [];
  var cursor = '';
  var nextCursor = null;
  var listSig = '';

  function taskActions(t, onDone) {
    var out = [];
    if (READ_ONLY) return out;
    var done = onDone || function () { pollSoon(); };
    if ((t.state === 'FAILURE' || t.state === 'REVOKED') && t.retryable && !t.retried_as) {
      out.push(actionButton('Retry', 'retry', 'retry-' + t.uuid, function () {
        return api('POST', '/api/task/retry/' + encodeURIComponent(t.uuid), {}).then(function (res) {
          toast('Sent again as ' + res['task-id']);
          location.hash = 'task/' + res['task-id'];
          done();
        });
      }));
    }
    if (t.state === 'PENDING' || t.state === 'RECEIVED' || t.state === 'RETRY') {
      out.push(actionButton('Revoke', 'revoke', 'revoke-' + t.uuid, function () {
        return api('POST', '/api/task/revoke/' + encodeURIComponent(t.uuid), {}).then(function () { toast('Revoke sent for ' + t.uuid); done(); });
      }));
    }
    if (t.state === 'STARTED') {
      out.push(actionButton('Terminate', 'revoke', 'terminate-' + t.uuid, function () {
        return api('POST', '/api/task/revoke/' + encodeURIComponent(t.uuid), { terminate: true }).then(function () { toast('Terminate sent for ' + t.uuid); done(); });
      }, 'Really terminate?'));
    }
    return out;
  }

  function argsText(t) {
    var a = str(t.args);
    var k = str(t.kwargs);
    return k && k !== '{}' ? a + ' ' + k : a;
  }

  function taskRow(t) {
    var tr = el('tr');
    tr.setAttribute('data-task-id', t.uuid);
    tr.setAttribute('data-state', t.state);
    tr.setAttribute('data-name', str(t.name));
    var state = el('td', 'state');
    state.appendChild(badge(t.state));
    tr.appendChild(state);
    tr.appendChild(el('td', 'mono name', t.name || '?'));
    var id = el('td', 'mono opt', String(t.uuid).slice(0, 8));
    id.title = t.uuid;
    tr.appendChild(id);
    var args = el('td', 'mono clip opt', argsText(t));
    args.title = argsText(t);
    tr.appendChild(args);
    tr.appendChild(el('td', 'nowrap', fmtTime(firstSeen(t))));
    tr.appendChild(el('td', 'nowrap', fmtSeconds(t.runtime)));
    tr.appendChild(el('td', 'clip opt', t.worker || ''));
    var actions = el('td', 'actions');
    taskActions(t).forEach(function (b) { actions.appendChild(b); });
    tr.appendChild(actions);
    return tr;
  }

  function renderCounts(counts) {
    var ul = clear($('counts'));
    var total = 0;
    Object.keys(counts).forEach(function (k) { total += counts[k]; });
    var all = el('li', filters.state ? '' : 'active');
    all.appendChild(el('span', 'n', total));
    all.appendChild(el('span', '', 'all'));
    all.setAttribute('data-state', '');
    ul.appendChild(all);
    STATES.concat(Object.keys(counts).filter(function (s) { return STATES.indexOf(s) < 0; })).forEach(function (s) {
      if (!counts[s] && filters.state !== s) return;
      var li = el('li', filters.state === s ? 'active' : '');
      li.setAttribute('data-state', s);
      li.setAttribute('data-testid', 'count-' + s);
      li.appendChild(el('span', 'n', counts[s] || 0));
      li.appendChild(badge(s));
      ul.appendChild(li);
    });
  }

  function renderList(page) {
    var sig = JSON.stringify(page);
    if (sig === listSig) return;
    listSig = sig;
    var tbody = clear($('tasks'));
    page.tasks.forEach(function (t) { tbody.appendChild(taskRow(t)); });
    $('empty').hidden = page.tasks.length > 0;
    nextCursor = page.next;
    $('page-next').disabled = !page.next;
    $('page-prev').disabled = cursors.length === 0;
    $('page-info').textContent = 'page ' + (cursors.length + 1) + ' · ' + page.tasks.length + ' shown';
  }

  function readFilters() {
    var f = {};
    ['text', 'state', 'name', 'worker', 'id'].forEach(function (k) { var v = $('f-' + k).value.trim(); if (v) f[k] = v; });
    ['from', 'to'].forEach(function (k) {
      var v = $('f-' + k).value;
      if (v) f[k] = String(Math.floor(new Date(v).getTime() / 1000));
    });
    return f;
  }
  function resetPaging() { cursors = []; cursor = ''; listSig = ''; }

  views.tasks = {
    tab: 'tasks', section: 'tasks',
    refresh: function () {
      var q = Object.assign({ limit: 50, cursor: cursor }, filters);
      return Promise.all([api('GET', '/api/tasks/search' + qs(q)), api('GET', '/api/stats?points=90')]).then(function (r) {
        renderList(r[0]);
        renderCounts(r[1].counts || {});
        drawCharts(r[1]);
      });
    },
  };

  $('filters').addEventListener('submit', function (ev) {
    ev.preventDefault();
    filters = readFilters();
    resetPaging();
    pollSoon();
  });
  $('filters').addEventListener('reset', function () {
    setTimeout(function () { filters = {}; resetPaging(); pollSoon(); }, 0);
  });
  $('counts').addEventListener('click', function (ev) {
    var li = ev.target instanceof Element ? ev.target.closest('li[data-state]') : null;
    if (!li) return;
    filters.state = li.getAttribute('data-state') || undefined;
    $('f-state').value = filters.state || '';
    resetPaging();
    pollSoon();
  });
  $('page-next').addEventListener('click', function () {
    if (!nextCursor) return;
    cursors.push(cursor);
    cursor = nextCursor;
    listSig = '';
    pollSoon();
  });
  $('page-prev').addEventListener('click', function () {
    if (cursors.length === 0) return;
    cursor = cursors.pop();
    listSig = '';
    pollSoon();
  });
  $('tasks').addEventListener('click', function (ev) {
    var target = ev.target;
    if (!(target instanceof Element) || target.closest('button')) return;
    var tr = target.closest('tr[data-task-id]');
    if (tr) location.hash = 'task/' + tr.getAttribute('data-task-id');
  });
`;
