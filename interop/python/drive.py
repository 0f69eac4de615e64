"""Command-line Python Celery *client* spawned by Celeriac's TypeScript tests.

Run with /usr/bin/python3 from any directory; configured by the same env vars
as celeriac_interop_tasks.py (INTEROP_BROKER, INTEROP_BACKEND, INTEROP_QUEUE,
INTEROP_NS). Every subcommand prints exactly ONE JSON line on stdout:
exit 0 on success, exit 1 with {"error": ..., "error_type": ...} otherwise.

  states TASK [same options as call]
      send, then poll AsyncResult.state until ready; prints `call`'s object plus
      "states" (each distinct state seen, e.g. PENDING, PROGRESS, SUCCESS) and "infos".
  call TASK [--args JSON] [--kwargs JSON] [--countdown N] [--expires N]
            [--timeout S] [--queue Q] [--priority P] [--task-id ID]
            [--headers JSON]
      send with app.send_task and wait; prints {"id","state","result"} or,
      if the task failed/was revoked, {"id","state","exc_type","exc_module",
      "exc_args","traceback"} (exc_type/exc_module exactly as the worker
      stored them; exc_args = args of the exception Python rebuilt).
  send TASK [--args JSON] [--kwargs JSON] [--countdown N] [--expires N]
            [--queue Q] [--priority P] [--task-id ID] [--headers JSON]
            [--reply-to Q]
      send without waiting; prints {"id", "reply_to"}.
  result ID [--timeout S] [--reply-to Q]
      wait for a result by id; output as for `call`.
  chain STEPS_JSON [--timeout S]
      STEPS_JSON = [{"task": name, "args": [...], "kwargs": {...},
                     "immutable": bool, "options": {...}}, ...]
      prints the final step's result like `call`, plus "ids": every step's
      task id, first to last.
  group STEPS_JSON [--timeout S]
      prints {"id": group_id, "ids": [...], "results": [one `call`-style
      object per member, without timing out on failures]}.
  chord --header STEPS_JSON --body STEP_JSON [--timeout S]
      needs a redis:// backend (rpc:// cannot do chords); prints the body's
      result like `call`, plus "group_id" and "header_ids".
  meta ID [--timeout S]
      wait for the result, then print its stored document (with result_extended
      fields if the worker stored them), "extended" as AsyncResult reads them
      (name, args, kwargs, worker, retries, queue) and "children_ids".
  group-save STEPS_JSON [--timeout S]
      apply a group, wait, GroupResult.save(); prints {"id", "ids"}.
  group-restore ID [--timeout S]
      GroupResult.restore(ID); prints {"id", "restored": {"ids", "values"} | null}.
  forget ID [ID ...]
      AsyncResult(id).forget() for each id (redis: deletes
      celery-task-meta-<id>); prints {"forgotten": [...]}. Use it to clean up.
  ping [--timeout S] [--destination NODE] [--wait S]
      prints {"replies": [{node: {"ok": "pong"}}, ...]}; with --wait keep
      pinging until someone answers (exit 1 if nobody did in time).
  inspect METHOD [--destination NODE] [--timeout S] [--args JSON]
      prints {"result": <app.control.inspect().METHOD(*args)>} (null when
      no worker answered).
  revoke ID [--terminate] [--signal SIG] [--destination NODE]
      prints {"id", "replies"} (replies of the workers that got it).
  shutdown [--destination NODE]
      app.control.shutdown (workers never reply); prints {"ok": true}.
  cleanup [--queue Q ...]
      delete queue+exchange INTEROP_QUEUE (and each --queue) plus the
      <NS>.pidbox, reply.<NS>.pidbox and <NS>_ev exchanges; refuses names
      that do not start with "celeriac_". Run it after the workers stopped.

rpc:// note: results are delivered to the reply queue named in the task's
reply_to, which is normally this process's own auto-delete queue. So
`result ID` can only work if the task was sent with `send --reply-to Q` and
`result` is given the same `--reply-to Q` (use a unique Q per test; the
queue is auto-delete and disappears when `result` exits). Without
--reply-to, `send` deletes the reply queue Celery declared for it, so its
rpc result is dropped. With redis:// any process can read any result.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def emit(obj):
    sys.stdout.write(json.dumps(obj, default=str) + '\n')
    sys.stdout.flush()


def fail_exit(exc):
    emit({'error': str(exc), 'error_type': type(exc).__name__})
    sys.exit(1)


class UsageError(Exception):
    pass


def jarg(text, what):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f'bad JSON for {what}: {exc}') from None


# Serialized exception dicts as the worker stored them, keyed by id() of the
# exception object Celery rebuilt from them. Celery replaces an exc_module it
# cannot import with a synthesized class in 'celery.exceptions', so we report
# the worker's original exc_type/exc_module from here.
RAW_EXCEPTIONS = {}


def keep_raw_exceptions(app):
    backend = app.backend
    rebuild = backend.exception_to_python

    def exception_to_python(exc):
        value = rebuild(exc)
        if isinstance(exc, dict) and value is not None:
            RAW_EXCEPTIONS[id(value)] = exc
        return value
    backend.exception_to_python = exception_to_python


def describe(res):
    """AsyncResult (already waited for) -> the JSON object printed by `call`."""
    value = res.result
    if isinstance(value, BaseException):
        raw = RAW_EXCEPTIONS.get(id(value), {})
        return {'id': res.id, 'state': res.state,
                'exc_type': raw.get('exc_type', type(value).__name__),
                'exc_module': raw.get('exc_module', type(value).__module__),
                'exc_args': list(value.args),
                'traceback': res.traceback}
    return {'id': res.id, 'state': res.state, 'result': value}


def wait(res, timeout):
    res.get(timeout=timeout, propagate=False)
    return describe(res)


def send_options(a):
    opts = {}
    for key in ('countdown', 'expires', 'queue', 'priority', 'task_id'):
        value = getattr(a, key, None)
        if value is not None:
            opts[key] = value
    if getattr(a, 'headers', None):
        opts['headers'] = jarg(a.headers, '--headers')
    return opts


def signature(app, step):
    sig = app.signature(step['task'], args=step.get('args', []),
                        kwargs=step.get('kwargs', {}),
                        options=step.get('options', {}))
    if step.get('immutable'):
        sig.set(immutable=True)
    return sig


def use_reply_queue(app, queue):
    """Make the rpc backend use `queue` as this process's reply queue."""
    app._local.oid = queue


def cmd_call(app, a):
    res = app.send_task(a.task, args=jarg(a.args, '--args'),
                        kwargs=jarg(a.kwargs, '--kwargs'), **send_options(a))
    emit(wait(res, a.timeout))


def cmd_states(app, a):
    """Send, then poll AsyncResult.state until ready: every distinct state a Python client saw."""
    import time
    from celery import states
    res = app.send_task(a.task, args=jarg(a.args, '--args'),
                        kwargs=jarg(a.kwargs, '--kwargs'), **send_options(a))
    seen, infos = [], []
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        state = res.state
        if not seen or seen[-1] != state:
            seen.append(state)
            infos.append(res.info if not isinstance(res.info, BaseException) else repr(res.info))
        if state in states.READY_STATES:  # the state just read, not a second read that may differ
            break
        time.sleep(0.02)
    out = describe(res) if res.ready() else {'id': res.id, 'state': res.state}
    out.update({'states': seen, 'infos': infos})
    emit(out)


def cmd_send(app, a):
    if a.reply_to:
        use_reply_queue(app, a.reply_to)
    res = app.send_task(a.task, args=jarg(a.args, '--args'),
                        kwargs=jarg(a.kwargs, '--kwargs'), **send_options(a))
    reply_to = app.thread_oid
    if not a.reply_to and type(app.backend).__name__ == 'RPCBackend':
        # Celery declared this process's rpc reply queue; nobody will ever
        # consume it, so remove it instead of leaving it for 24 h.
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(reply_to)
    emit({'id': res.id, 'reply_to': reply_to})


def cmd_result(app, a):
    if a.reply_to:
        use_reply_queue(app, a.reply_to)
    emit(wait(app.AsyncResult(a.id), a.timeout))


def cmd_chain(app, a):
    from celery import chain
    steps = [signature(app, s) for s in jarg(a.steps, 'STEPS')]
    res = chain(*steps).apply_async()
    out = wait(res, a.timeout)
    ids, node = [], res
    while node is not None:  # walk back from the last step to the first
        ids.insert(0, node.id)
        node = node.parent
    out['ids'] = ids
    emit(out)


def cmd_group(app, a):
    from celery import group
    steps = [signature(app, s) for s in jarg(a.steps, 'STEPS')]
    gres = group(steps).apply_async()
    gres.get(timeout=a.timeout, propagate=False)
    emit({'id': gres.id, 'ids': [r.id for r in gres.results],
          'results': [describe(r) for r in gres.results]})


def cmd_chord(app, a):
    from celery import chord
    header = [signature(app, s) for s in jarg(a.header, '--header')]
    body = signature(app, jarg(a.body, '--body'))
    res = chord(header, body).apply_async()
    out = wait(res, a.timeout)
    if res.parent is not None:  # the header GroupResult
        out['group_id'] = res.parent.id
        out['header_ids'] = [r.id for r in res.parent.results]
    emit(out)


def cmd_meta(app, a):
    """The stored document of a result (result_extended fields included) and its children."""
    res = app.AsyncResult(a.id)
    res.get(timeout=a.timeout, propagate=False)
    meta = app.backend.get_task_meta(a.id, cache=False)
    out = {k: v for k, v in meta.items() if k != 'result' or res.successful()}
    out['extended'] = {k: getattr(res, k, None) for k in ('name', 'args', 'kwargs', 'worker', 'retries', 'queue')}
    out['children_ids'] = [c.id for c in res.children or []]
    emit(out)


def cmd_group_save(app, a):
    """Apply a group, wait for it, GroupResult.save() it."""
    from celery import group
    gres = group([signature(app, s) for s in jarg(a.steps, 'STEPS')]).apply_async()
    gres.get(timeout=a.timeout)
    gres.save()
    emit({'id': gres.id, 'ids': [r.id for r in gres.results]})


def cmd_group_restore(app, a):
    """GroupResult.restore(id): its member ids and values (null when nothing was saved)."""
    from celery.result import GroupResult
    gres = GroupResult.restore(a.id, app=app)
    if gres is None:
        emit({'id': a.id, 'restored': None})
        return
    emit({'id': a.id, 'restored': {'ids': [r.id for r in gres.results], 'values': gres.get(timeout=a.timeout)}})


def cmd_forget(app, a):
    for task_id in a.ids:
        app.AsyncResult(task_id).forget()
    emit({'forgotten': a.ids})


def destination(a):
    return [a.destination] if a.destination else None


def cmd_ping(app, a):
    import time
    deadline = time.monotonic() + (a.wait or 0)
    while True:
        replies = app.control.ping(destination=destination(a), timeout=a.timeout)
        if replies or not a.wait:
            break
        if time.monotonic() >= deadline:
            fail_exit(TimeoutError(f'no ping reply within {a.wait}s'))
    emit({'replies': replies})


def cmd_inspect(app, a):
    insp = app.control.inspect(destination=destination(a), timeout=a.timeout)
    method = getattr(insp, a.method, None)
    if method is None or a.method.startswith('_'):
        fail_exit(ValueError(f'unknown inspect method {a.method!r}'))
    emit({'result': method(*jarg(a.args, '--args'))})


def cmd_revoke(app, a):
    replies = app.control.revoke(a.id, destination=destination(a),
                                 terminate=a.terminate, signal=a.signal,
                                 reply=True, timeout=a.timeout)
    emit({'id': a.id, 'replies': replies})


def cmd_shutdown(app, a):
    app.control.shutdown(destination=destination(a))
    emit({'ok': True})


class JsonArgumentParser(argparse.ArgumentParser):
    """Report command-line mistakes as a JSON error line too (exit 2)."""

    def error(self, message):
        emit({'error': message, 'error_type': 'UsageError'})
        sys.exit(2)


def cmd_cleanup(app, a):
    """Delete the test-owned broker entities derived from the env vars."""
    from celeriac_interop_tasks import NS, QUEUE
    queues = [QUEUE] + (a.queue or [])
    exchanges = queues + [NS + '.pidbox', 'reply.' + NS + '.pidbox', NS + '_ev']
    unsafe = [n for n in queues + [NS] if not n.startswith('celeriac_')]
    if unsafe:  # never touch shared names such as 'celery' / 'celeryev'
        fail_exit(ValueError(f'refusing to delete non-celeriac_ names: {unsafe}'))
    with app.connection_for_write() as conn:
        ch = conn.default_channel
        for q in queues:
            ch.queue_delete(q)
        for ex in exchanges:
            ch.exchange_delete(ex)
        if conn.transport.driver_type == 'redis':
            # kombu's Redis transport keeps bindings in sets and priorities
            # in sub-lists that a fresh process's queue_delete cannot see.
            ch.client.delete(*['_kombu.binding.' + ex for ex in exchanges],
                             *[f'{q}\x06\x16{p}' for q in queues for p in (3, 6, 9)])
    emit({'deleted_queues': queues, 'deleted_exchanges': exchanges})


def parser():
    ap = JsonArgumentParser(prog='drive.py', description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)

    def task_cmd(name, fn, waits):
        p = sub.add_parser(name)
        p.add_argument('task')
        p.add_argument('--args', default='[]')
        p.add_argument('--kwargs', default='{}')
        p.add_argument('--countdown', type=float)
        p.add_argument('--expires', type=float)
        p.add_argument('--queue')
        p.add_argument('--priority', type=int)
        p.add_argument('--task-id', dest='task_id')
        p.add_argument('--headers', help='JSON object of extra message headers')
        if waits:
            p.add_argument('--timeout', type=float, default=30)
        else:
            p.add_argument('--reply-to', dest='reply_to')
        p.set_defaults(fn=fn)

    task_cmd('call', cmd_call, True)
    task_cmd('states', cmd_states, True)
    task_cmd('send', cmd_send, False)

    p = sub.add_parser('result')
    p.add_argument('id')
    p.add_argument('--timeout', type=float, default=30)
    p.add_argument('--reply-to', dest='reply_to')
    p.set_defaults(fn=cmd_result)

    for name, fn in (('chain', cmd_chain), ('group', cmd_group)):
        p = sub.add_parser(name)
        p.add_argument('steps')
        p.add_argument('--timeout', type=float, default=30)
        p.set_defaults(fn=fn)

    p = sub.add_parser('chord')
    p.add_argument('--header', required=True)
    p.add_argument('--body', required=True)
    p.add_argument('--timeout', type=float, default=30)
    p.set_defaults(fn=cmd_chord)

    for name, arg, fn in (('meta', 'id', cmd_meta), ('group-save', 'steps', cmd_group_save),
                          ('group-restore', 'id', cmd_group_restore)):
        p = sub.add_parser(name)
        p.add_argument(arg)
        p.add_argument('--timeout', type=float, default=30)
        p.set_defaults(fn=fn)

    p = sub.add_parser('forget')
    p.add_argument('ids', nargs='+')
    p.set_defaults(fn=cmd_forget)

    p = sub.add_parser('ping')
    p.add_argument('--timeout', type=float, default=1.0)
    p.add_argument('--destination')
    p.add_argument('--wait', type=float, help='retry until a reply, up to S seconds')
    p.set_defaults(fn=cmd_ping)

    p = sub.add_parser('inspect')
    p.add_argument('method')
    p.add_argument('--destination')
    p.add_argument('--timeout', type=float, default=1.0)
    p.add_argument('--args', default='[]', help='JSON list of positional args')
    p.set_defaults(fn=cmd_inspect)

    p = sub.add_parser('revoke')
    p.add_argument('id')
    p.add_argument('--terminate', action='store_true')
    p.add_argument('--signal', default='SIGTERM')
    p.add_argument('--destination')
    p.add_argument('--timeout', type=float, default=1.0)
    p.set_defaults(fn=cmd_revoke)

    p = sub.add_parser('shutdown')
    p.add_argument('--destination')
    p.set_defaults(fn=cmd_shutdown)

    p = sub.add_parser('cleanup')
    p.add_argument('--queue', action='append', help='extra queue (+ its exchange) to delete')
    p.set_defaults(fn=cmd_cleanup)
    return ap


def main():
    args = parser().parse_args()
    from celeriac_interop_tasks import app
    try:
        keep_raw_exceptions(app)
        args.fn(app, args)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - reported as a JSON error line
        fail_exit(exc)
    sys.exit(0)


if __name__ == '__main__':
    main()
