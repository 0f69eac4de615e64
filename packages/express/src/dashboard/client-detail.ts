/**
 * The dashboard's browser script, part 3 of 5: the task detail view (fields, the received →
 * started → finished timeline, arguments, result, traceback, parent and children, the workflow
 * drawn as a graph, and the task's actions) and the SVG charts of the task list.
 */
export const CLIENT_DETAIL = String.raw`
  var detailSig = '';

  function timeline(info) {
    var steps = [['sent', 'Sent'], ['received', 'Received'], ['started', 'Started'], ['retried', 'Retried'], ['succeeded', 'Succeeded'], ['failed', 'Failed'], ['revoked', 'Revoked'], ['rejected', 'Rejected']]
      .filter(function (s) { return typeof info[s[0]] === 'number' && info[s[0]] > 0; })
      .sort(function (a, b) { return info[a[0]] - info[b[0]]; });
    var ol = el('ol', 'timeline');
    ol.setAttribute('data-testid', 'timeline');
    steps.forEach(function (s, i) {
      var li = el('li', s[0]);
      li.setAttribute('data-step', s[0]);
      li.appendChild(el('span', 'what', s[1]));
      li.appendChild(el('span', 'when', fmtDate(info[s[0]])));
      if (i > 0) li.appendChild(el('span', 'gap', '+' + fmtSeconds(info[s[0]] - info[steps[i - 1][0]])));
      ol.appendChild(li);
    });
    return ol;
  }

  /** The workflow: nodes placed by depth from the root (parent links), drawn as an SVG. */
  function graph(data, selected) {
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; n.children = []; });
    var roots = [];
    data.nodes.forEach(function (n) {
      var p = n.parent && byId[n.parent] ? byId[n.parent] : n.retry_of && byId[n.retry_of] ? byId[n.retry_of] : null;
      if (p && p !== n) p.children.push(n); else roots.push(n);
    });
    var columns = [];
    var seen = {};
    function place(n, depth) {
      if (seen[n.id]) return;
      seen[n.id] = true;
      (columns[depth] = columns[depth] || []).push(n);
      n.depth = depth;
      n.row = columns[depth].length - 1;
      n.children.forEach(function (c) { place(c, depth + 1); });
    }
    roots.forEach(function (r) { place(r, 0); });
    var W = 150, H = 46, GX = 40, GY = 14;
    var rows = Math.max.apply(null, columns.map(function (c) { return c.length; }).concat([1]));
    var gw = columns.length * (W + GX) - GX, gh = rows * (H + GY) - GY;
    var s = svg('svg', { viewBox: '0 0 ' + gw + ' ' + gh, width: gw, height: gh, class: 'graph', role: 'img' });
    s.setAttribute('data-testid', 'graph');
    var pos = function (n) { return { x: n.depth * (W + GX), y: n.row * (H + GY) }; };
    data.nodes.forEach(function (n) {
      n.children.forEach(function (c) {
        var a = pos(n), b = pos(c);
        s.appendChild(svg('path', { d: 'M' + (a.x + W) + ' ' + (a.y + H / 2) + ' C' + (a.x + W + GX / 2) + ' ' + (a.y + H / 2) + ' ' + (b.x - GX / 2) + ' ' + (b.y + H / 2) + ' ' + b.x + ' ' + (b.y + H / 2), class: 'edge' }));
      });
    });
    data.nodes.forEach(function (n) {
      var p = pos(n);
      var g = svg('g', { class: 'node ' + n.state + (n.id === selected ? ' selected' : ''), transform: 'translate(' + p.x + ',' + p.y + ')' });
      g.setAttribute('data-node', n.id);
      var a = svg('a', { href: '#task/' + n.id });
      a.appendChild(svg('rect', { width: W, height: H, rx: 6 }));
      var t1 = svg('text', { x: 8, y: 18 });
      t1.textContent = (n.name || '?').slice(-22);
      var t2 = svg('text', { x: 8, y: 36, class: 'sub' });
      t2.textContent = n.state + ' · ' + n.id.slice(0, 8);
      a.appendChild(t1);
      a.appendChild(t2);
      g.appendChild(a);
      s.appendChild(g);
    });
    return s;
  }

  function renderDetail(info, g) {
    var sig = JSON.stringify([info, g]);
    if (sig === detailSig) return;
    detailSig = sig;
    var box = clear($('detail'));
    var head = el('div', 'detail-head');
    head.appendChild(el('h2', 'mono', info.name || 'unknown task'));
    var state = badge(info.state);
    state.setAttribute('data-testid', 'detail-state');
    head.appendChild(state);
    var actions = el('div', 'actions');
    taskActions(info, function () { detailSig = ''; pollSoon(); }).forEach(function (b) { actions.appendChild(b); });
    head.appendChild(actions);
    box.appendChild(head);
    var dl = el('dl');
    field(dl, 'Id', info.uuid, 'detail-id');
    field(dl, 'Worker', info.worker);
    field(dl, 'Retries', info.retries);
    field(dl, 'Runtime', fmtSeconds(info.runtime));
    field(dl, 'ETA', info.eta);
    field(dl, 'Expires', info.expires);
    box.appendChild(dl);
    box.appendChild(el('h3', '', 'Timeline'));
    box.appendChild(timeline(info));
    var rel = el('p', 'relations');
    if (info.parent_id) { rel.appendChild(document.createTextNode('Parent: ')); rel.appendChild(link(info.parent_id.slice(0, 8), 'task/' + info.parent_id, 'mono')); rel.appendChild(document.createTextNode('  ')); }
    if (info.retry_of) { rel.appendChild(document.createTextNode('Retry of: ')); rel.appendChild(link(info.retry_of.slice(0, 8), 'task/' + info.retry_of, 'mono')); rel.appendChild(document.createTextNode('  ')); }
    if (info.retried_as) { rel.appendChild(document.createTextNode('Retried as: ')); var ra = link(info.retried_as.slice(0, 8), 'task/' + info.retried_as, 'mono'); ra.setAttribute('data-testid', 'detail-retried-as'); rel.appendChild(ra); }
    var children = g ? g.nodes.filter(function (n) { return n.parent === info.uuid && n.id !== info.uuid; }) : [];
    if (children.length) {
      rel.appendChild(document.createTextNode('  Children: '));
      children.forEach(function (c) { rel.appendChild(link(c.id.slice(0, 8), 'task/' + c.id, 'mono child')); rel.appendChild(document.createTextNode(' ')); });
    }
    if (rel.childNodes.length) box.appendChild(rel);
    if (g && g.nodes.length > 1) {
      box.appendChild(el('h3', '', 'Workflow' + (g.truncated ? ' (first 200 tasks)' : '')));
      var wrap = el('div', 'graph-wrap');
      wrap.appendChild(graph(g, info.uuid));
      box.appendChild(wrap);
    }
    block(box, 'Args', str(info.args), 'detail-args');
    block(box, 'Kwargs', str(info.kwargs), 'detail-kwargs');
    var backend = info.backend;
    if (backend && backend.status === 'SUCCESS') block(box, 'Result', JSON.stringify(backend.result, null, 2), 'detail-result');
    else block(box, 'Result', info.result, 'detail-result');
    block(box, 'Exception', info.exception, 'detail-exception');
    block(box, 'Traceback', info.traceback || (backend && backend.traceback), 'detail-traceback');
  }

  views.task = {
    tab: 'tasks', section: 'detail',
    enter: function () { detailSig = ''; clear($('detail')).appendChild(el('p', 'muted', 'Loading…')); },
    refresh: function (id) {
      return Promise.all([
        api('GET', '/api/task/info/' + encodeURIComponent(id)),
        api('GET', '/api/task/graph/' + encodeURIComponent(id)).catch(function () { return null; }),
      ]).then(function (r) { if (current.arg === id) renderDetail(r[0], r[1]); }, function (err) {
        if (current.arg === id) clear($('detail')).appendChild(el('p', 'muted', err.message));
      });
    },
  };

  function lineChart(target, points, series, unit) {
    var box = clear($(target));
    var W = 600, H = 140, P = 28;
    var max = 0;
    points.forEach(function (p) { series.forEach(function (s) { var v = p[s[0]]; if (typeof v === 'number' && v > max) max = v; }); });
    var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', preserveAspectRatio: 'none', role: 'img' });
    s.appendChild(svg('line', { x1: P, y1: H - P / 2, x2: W, y2: H - P / 2, class: 'axis' }));
    var label = svg('text', { x: 2, y: 12, class: 'axis-label' });
    label.textContent = unit === 's' ? fmtSeconds(max) : String(max);
    s.appendChild(label);
    var n = Math.max(1, points.length - 1);
    series.forEach(function (ser) {
      var d = '';
      points.forEach(function (p, i) {
        var v = p[ser[0]];
        if (typeof v !== 'number') return;
        var x = P + (i / n) * (W - P);
        var y = H - P / 2 - (max > 0 ? v / max : 0) * (H - P);
        d += (d ? ' L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
      });
      if (d) s.appendChild(svg('path', { d: d, class: 'line ' + ser[0] }));
      points.forEach(function (p, i) {
        var v = p[ser[0]];
        if (typeof v !== 'number' || v <= 0) return;
        var x = P + (i / n) * (W - P);
        var y = H - P / 2 - (max > 0 ? v / max : 0) * (H - P);
        s.appendChild(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 2.5, class: 'dot ' + ser[0] }));
      });
    });
    box.appendChild(s);
    var legend = el('div', 'legend');
    series.forEach(function (ser) { var k = el('span', 'key ' + ser[0], ser[1]); legend.appendChild(k); });
    box.appendChild(legend);
  }
  function drawCharts(stats) {
    var pts = stats.points || [];
    lineChart('chart-throughput', pts, [['received', 'received'], ['succeeded', 'succeeded'], ['failed', 'failed'], ['retried', 'retried']], 'n');
    lineChart('chart-runtime', pts, [['runtimeAvg', 'mean runtime'], ['runtimeMax', 'longest']], 's');
    $('chart-step').textContent = 'per ' + stats.step + ' s, last ' + Math.round(pts.length * stats.step / 60) + ' min';
  }
`;
