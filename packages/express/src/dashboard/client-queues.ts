/**
 * The dashboard's browser script, part 5 of 5: queues (depth, rate, consumers, dead letters)
 * and the dead-letter browser (each message with its reason; requeue or delete, confirmed
 * with a second click), then the start-up wiring.
 */
export const CLIENT_QUEUES = String.raw`
  var queuesSig = '';
  var dlqSig = '';

  function renderQueues(data) {
    var sig = JSON.stringify(data);
    if (sig === queuesSig) return;
    queuesSig = sig;
    var tbody = clear($('queues'));
    data.queues.forEach(function (q) {
      var tr = el('tr');
      tr.setAttribute('data-queue', q.name);
      tr.appendChild(el('td', 'mono', q.name));
      tr.appendChild(el('td', 'num', q.messages === null ? '–' : q.messages));
      tr.appendChild(el('td', 'num', q.rate === null || q.rate === undefined ? '' : (q.rate > 0 ? '+' : '') + q.rate + '/s'));
      tr.appendChild(el('td', 'num', q.consumers === null ? '–' : q.consumers));
      var dl = el('td', 'num');
      dl.setAttribute('data-testid', 'dead-letters-' + q.name);
      if (q.dead_letters) dl.appendChild(link(String(q.dead_letters), 'dead-letters/' + q.name, 'dlq-link'));
      else dl.textContent = q.dead_letters === null ? '–' : '0';
      tr.appendChild(dl);
      tbody.appendChild(tr);
    });
  }

  views.queues = {
    tab: 'queues', section: 'queues',
    refresh: function () { return api('GET', '/api/queues/stats').then(renderQueues); },
  };

  function renderDeadLetters(queue, page) {
    var sig = JSON.stringify(page);
    if (sig === dlqSig) return;
    dlqSig = sig;
    var box = clear($('dead-letters'));
    box.appendChild(link('← Queues', 'queues', 'back'));
    box.appendChild(el('h2', 'mono', page.dead_letter_queue));
    box.appendChild(el('p', 'muted', page.total === null ? 'No dead-letter queue yet.' : page.total + ' message(s); showing the first ' + page.messages.length + '. Looking leaves them in place.'));
    page.messages.forEach(function (m) {
      var card = el('article', 'dead-letter');
      card.setAttribute('data-key', m.key);
      card.setAttribute('data-task-id', m.taskId || '');
      var head = el('div', 'dl-head');
      head.appendChild(el('span', 'mono name', m.taskName || '(not a task)'));
      head.appendChild(el('span', 'mono muted', m.taskId || ''));
      head.appendChild(el('span', 'muted', m.deadLetteredAt || ''));
      card.appendChild(head);
      var reason = el('p', 'reason', m.reason || '(no reason recorded)');
      reason.setAttribute('data-testid', 'dl-reason');
      card.appendChild(reason);
      var details = el('details');
      details.appendChild(el('summary', '', 'Message (' + m.size + ' bytes, ' + m.contentType + ')'));
      details.appendChild(el('pre', 'mono', m.body === null ? '(binary)' : m.body));
      details.appendChild(el('pre', 'mono', JSON.stringify(m.headers, null, 2)));
      card.appendChild(details);
      if (!READ_ONLY) {
        var actions = el('div', 'actions');
        var act = function (action) {
          return function () {
            return api('POST', '/api/dead-letters/' + encodeURIComponent(queue) + '/' + action, { key: m.key }).then(function (res) {
              toast(action === 'requeue' ? 'Sent back to ' + res.requeued_to : 'Deleted');
              dlqSig = '';
              pollSoon();
            });
          };
        };
        actions.appendChild(actionButton('Requeue', 'retry', 'requeue', act('requeue'), 'Send back to ' + (m.queue || queue) + '?'));
        actions.appendChild(actionButton('Delete', 'revoke', 'delete', act('delete'), 'Delete for good?'));
        card.appendChild(actions);
      }
      box.appendChild(card);
    });
  }

  views['dead-letters'] = {
    tab: 'queues', section: 'dead-letters',
    enter: function () { dlqSig = ''; clear($('dead-letters')).appendChild(el('p', 'muted', 'Loading…')); },
    refresh: function (queue) {
      return api('GET', '/api/dead-letters/' + encodeURIComponent(queue) + '?limit=50').then(function (page) { if (current.arg === queue) renderDeadLetters(queue, page); });
    },
  };

  window.addEventListener('hashchange', route);
  route();
`;
