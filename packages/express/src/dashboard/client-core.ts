/**
 * The dashboard's browser script, part 1 of 5: shared helpers (DOM building with `textContent`
 * only, the JSON API, formatting, toasts, two-step confirmation buttons) and the hash router
 * (`#tasks`, `#task/<id>`, `#workers`, `#worker/<name>`, `#queues`, `#dead-letters/<queue>`).
 * Plain ES2017 kept as raw strings (no backticks or `${` inside); the parts are joined in one
 * function scope by `page.ts`.
 */
export const CLIENT_CORE = String.raw`
  var cfg = JSON.parse(document.getElementById('celeriac-config').textContent);
  var BASE = String(cfg.base || '');
  var READ_ONLY = cfg.readOnly === true;
  var QUEUES = Array.isArray(cfg.queues) ? cfg.queues : [];
  var $ = function (id) { return document.getElementById(id); };
  var views = {};
  var current = { name: '', arg: '' };
  var timer = null;
  var inflight = false;

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function str(v) { return v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v); }
  function link(text, hash, className) {
    var a = el('a', className, text);
    a.setAttribute('href', '#' + hash);
    return a;
  }
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
  function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== undefined && v !== null && v !== '') parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    });
    return parts.length ? '?' + parts.join('&') : '';
  }
  function fmtTime(ts) { return typeof ts === 'number' && ts > 0 ? new Date(ts * 1000).toLocaleTimeString() : ''; }
  function fmtDate(ts) { return typeof ts === 'number' && ts > 0 ? new Date(ts * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC') : ''; }
  function fmtSeconds(s) {
    if (typeof s !== 'number' || !isFinite(s)) return '';
    if (s < 1) return (s * 1000).toFixed(1) + ' ms';
    if (s < 120) return s.toFixed(2) + ' s';
    return Math.round(s / 60) + ' min';
  }
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
  /** A button that runs 'run' on click; with 'confirmText', the first click asks and the second runs. */
  function actionButton(label, className, testid, run, confirmText) {
    var b = el('button', className, label);
    b.type = 'button';
    if (testid) b.setAttribute('data-testid', testid);
    var armed = false;
    b.addEventListener('click', function () {
      if (confirmText && !armed) {
        armed = true;
        b.textContent = confirmText;
        b.classList.add('armed');
        setTimeout(function () { armed = false; b.textContent = label; b.classList.remove('armed'); }, 4000);
        return;
      }
      b.disabled = true;
      Promise.resolve().then(run).catch(function (err) { toast(err.message, true); }).then(function () { b.disabled = false; });
    });
    return b;
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
    parent.appendChild(el('h3', '', label));
    var pre = el('pre', 'mono', text);
    if (testid) pre.setAttribute('data-testid', testid);
    parent.appendChild(pre);
  }

  function route() {
    var h = decodeURIComponent(location.hash.replace(/^#/, ''));
    var slash = h.indexOf('/');
    var name = slash < 0 ? h : h.slice(0, slash);
    var arg = slash < 0 ? '' : h.slice(slash + 1);
    if (!views[name]) { name = 'tasks'; arg = ''; }
    current = { name: name, arg: arg };
    document.querySelectorAll('nav a[data-view]').forEach(function (a) {
      var on = a.getAttribute('data-view') === views[name].tab;
      a.classList.toggle('active', on);
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    document.querySelectorAll('section.view').forEach(function (s) { s.hidden = s.id !== 'view-' + views[name].section; });
    if (views[name].enter) views[name].enter(arg);
    pollSoon();
  }
  function poll() {
    if (inflight) return;
    inflight = true;
    var v = views[current.name];
    var api_ = api('GET', '/api/monitor').then(function (m) { $('mode').textContent = (m.read_only ? 'read-only · ' : '') + m.tasks_tracked + ' tasks tracked'; return m; });
    Promise.all([api_, v && v.refresh ? v.refresh(current.arg) : null]).then(function () {
      setStatus('live · ' + new Date().toLocaleTimeString(), false);
    }).catch(function (err) {
      setStatus('error: ' + err.message, true);
    }).then(function () {
      inflight = false;
      clearTimeout(timer);
      timer = setTimeout(poll, 2000);
    });
  }
  function pollSoon() {
    clearTimeout(timer);
    if (inflight) timer = setTimeout(pollSoon, 100);
    else poll();
  }
`;
