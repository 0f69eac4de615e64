"""Capture golden wire-format fixtures from real Python Celery (5.2.6).

Run from anywhere (needs RabbitMQ 127.0.0.1:5672 guest/guest and Redis
127.0.0.1:6379; uses Redis db 9 for results and db 10 for the Redis-broker
scenario):

    /usr/bin/python3 interop/python/capture_fixtures.py [--skip-results]

Writes into packages/core/test/fixtures/:

  celery-v2/<scenario>.json   task messages published by the Python client
                              with NO worker running, read back raw with
                              py-amqp basic_get (+ ack).
  celery-v2/topology.json     how Celery declared queues/exchanges/bindings
                              (rabbitmqctl output, filtered to celeriac_fx*).
  celery-v2/retry-republished.json
                              the message a worker republishes on Task.retry.
  results/rpc-*.json          raw rpc:// result messages sent by a real worker.
  results/redis-*.json        raw redis:// celery-task-meta-<id> values (+ the
                              PUBLISHed copies) written by a real worker.

Fixture layout (see celery-v2/README.md): single-message scenarios have the
message fields at top level (delivery_info, properties, headers,
header_types, body); multi-message scenarios have "messages": [...] with one
such object per message, in publish order.

Everything uses celeriac_fx_* names (queues celeriac_fx_tasks,
celeriac_fx_other, celeriac_fx_prio, celeriac_fx_capture, celeriac_fx_replies;
control namespace celeriac_fx, event exchange celeriac_fx_ev) and only the
Redis keys whose ids this script generated; all are deleted at the end.
"""
import argparse
import datetime
import decimal
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from struct import unpack_from

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
FIXTURES = os.path.join(ROOT, 'packages', 'core', 'test', 'fixtures')
V2_DIR = os.path.join(FIXTURES, 'celery-v2')
RESULTS_DIR = os.path.join(FIXTURES, 'results')

AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672//'
REDIS_URL = 'redis://127.0.0.1:6379/9'
REDIS_BROKER_URL = 'redis://127.0.0.1:6379/10'
Q = 'celeriac_fx_tasks'
Q_OTHER = 'celeriac_fx_other'
Q_PRIO = 'celeriac_fx_prio'
Q_CAPTURE = 'celeriac_fx_capture'
Q_REPLIES = 'celeriac_fx_replies'      # rpc reply queue name used by this client
NS = 'celeriac_fx'
NODE = 'celeriac_fx_w1@' + socket.gethostname()

# The tasks module reads its configuration at import time.
os.environ.update(INTEROP_BROKER=AMQP_URL, INTEROP_BACKEND=REDIS_URL,
                  INTEROP_QUEUE=Q, INTEROP_NS=NS)
sys.path.insert(0, HERE)

import amqp  # noqa: E402
import celery  # noqa: E402
import kombu  # noqa: E402
import redis  # noqa: E402
from amqp.serialization import GenericContent  # noqa: E402
from celery import Celery, chain, chord, group  # noqa: E402

from celeriac_interop_tasks import (add, app, echo, fail, mul,  # noqa: E402
                                    retry_once, sleep, tsum)

CAPTURED_WITH = {'celery': celery.__version__, 'kombu': kombu.__version__,
                 'py-amqp': amqp.__version__, 'python': sys.version.split()[0],
                 'rabbitmq': 'see topology.json'}
REDIS_IDS = set()       # task ids whose celery-task-meta-* keys we may delete
REDIS_EXTRA_KEYS = set()  # other db-9 keys we created


# --------------------------------------------------------------------------
# Raw AMQP reading, including the AMQP field-table type of every header.
# --------------------------------------------------------------------------

_orig_load_properties = GenericContent._load_properties


def _load_properties_keep_raw(self, class_id, buf, offset):
    """Keep the raw property bytes so header wire types can be reported."""
    self._celeriac_raw_props = bytes(buf[offset:])
    return _orig_load_properties(self, class_id, buf, offset)


GenericContent._load_properties = _load_properties_keep_raw

_FIXED = {'b': 1, 'B': 1, 'U': 2, 'u': 2, 'I': 4, 'i': 4, 'L': 8, 'l': 8,
          'f': 4, 'd': 8, 'D': 5, 't': 1, 'T': 8, 'V': 0}


def _item_type(buf, off):
    """Return (type signature, new offset) of one AMQP field value."""
    t = chr(buf[off])
    off += 1
    if t in _FIXED:
        return t, off + _FIXED[t]
    if t in 'Sx':
        n, = unpack_from('>I', buf, off)
        return t, off + 4 + n
    if t == 's':
        return t, off + 1 + buf[off]
    if t == 'A':
        n, = unpack_from('>I', buf, off)
        off += 4
        end, items = off + n, []
        while off < end:
            sig, off = _item_type(buf, off)
            items.append(sig)
        return 'A[' + ','.join(items) + ']', off
    if t == 'F':
        sigs, off = _table_types(buf, off)
        return 'F{' + ','.join(f'{k}:{v}' for k, v in sigs.items()) + '}', off
    raise ValueError(f'unknown AMQP field type {t!r}')


def _table_types(buf, off):
    n, = unpack_from('>I', buf, off)
    off += 4
    end, out = off + n, {}
    while off < end:
        klen = buf[off]
        key = bytes(buf[off + 1:off + 1 + klen]).decode()
        off += 1 + klen
        out[key], off = _item_type(buf, off)
    return out, off


def header_types(raw_props):
    """AMQP type codes of the application_headers table (S, I, L, t, V, A[..])."""
    flags, = unpack_from('>H', raw_props, 0)
    off = 2
    for bit in (0x8000, 0x4000):  # content_type, content_encoding (shortstr)
        if flags & bit:
            off += 1 + raw_props[off]
    if not flags & 0x2000:
        return {}
    return _table_types(raw_props, off)[0]


def jsonable(v):
    if isinstance(v, (bytes, bytearray)):
        return v.decode('utf-8')
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (datetime.datetime, decimal.Decimal)):
        return str(v)
    return v


def amqp_channel():
    conn = amqp.Connection('127.0.0.1:5672', userid='guest', password='guest')
    conn.connect()
    return conn, conn.channel()


def message_record(m):
    props = dict(m.properties)
    # null = the message had no application_headers table at all
    headers = props.pop('application_headers', None)
    return {
        'delivery_info': {'exchange': m.delivery_info['exchange'],
                          'routing_key': m.delivery_info['routing_key']},
        'properties': jsonable(props),
        'headers': jsonable(headers),
        'header_types': header_types(m._celeriac_raw_props),
        'body': m.body.decode('utf-8') if isinstance(m.body, bytes) else m.body,
    }


def drain(queue, expect=None, timeout=10.0):
    """basic_get + ack every message of `queue`. With `expect`, keep polling
    until that many messages arrived or `timeout` passed."""
    conn, ch = amqp_channel()
    out, deadline = [], time.time() + timeout
    try:
        while True:
            m = ch.basic_get(queue, no_ack=False)
            if m is not None:
                out.append(message_record(m))
                ch.basic_ack(m.delivery_tag)
                continue
            if expect is None or len(out) >= expect or time.time() > deadline:
                return out
            time.sleep(0.1)
    finally:
        conn.close()


# --------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------

def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def write(directory, name, obj):
    path = os.path.join(directory, name + '.json')
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write('\n')
    print('wrote', os.path.relpath(path, ROOT))


def scenario(name, call, msgs, sent_at, **extra):
    """Single message -> fields at top level; several -> "messages": [...]."""
    doc = {'scenario': name, 'captured_with': CAPTURED_WITH, 'sent_at': sent_at,
           'call': call}
    if len(msgs) == 1:
        doc.update(msgs[0])
    else:
        doc['messages'] = msgs
    doc.update(extra)
    write(V2_DIR, name, doc)


def rabbitmqctl(*args):
    out = subprocess.run(['rabbitmqctl', '-q', '--formatter', 'json', *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def ours(name):
    return NS in (name or '')


# --------------------------------------------------------------------------
# Part A: task messages, no worker
# --------------------------------------------------------------------------

def capture_task_messages():
    def one(name, python, fn, queue=Q, expect=1, **call):
        sent_at = now_iso()
        ret = fn()
        msgs = drain(queue, expect)
        assert len(msgs) == expect, (name, len(msgs))
        scenario(name, dict(python=python, **call), msgs, sent_at)
        return ret

    one('add-delay', 'add.delay(2, 3)', lambda: add.delay(2, 3),
        task='proto.add', args=[2, 3], kwargs={}, options={})

    one('apply-async-options',
        "add.apply_async((2, 3), countdown=30, expires=600, priority=5, time_limit=30, "
        "soft_time_limit=20, headers={'x_custom': 'hello'}, shadow='add-shadowed', "
        "link=mul.s(10), link_error=echo.si('errback'))",
        lambda: add.apply_async((2, 3), countdown=30, expires=600, priority=5,
                                time_limit=30, soft_time_limit=20,
                                headers={'x_custom': 'hello'}, shadow='add-shadowed',
                                link=mul.s(10), link_error=echo.si('errback')),
        task='proto.add', args=[2, 3], kwargs={},
        options={'countdown': 30, 'expires': 600, 'priority': 5, 'time_limit': 30,
                 'soft_time_limit': 20, 'headers': {'x_custom': 'hello'},
                 'shadow': 'add-shadowed', 'link': 'mul.s(10)',
                 'link_error': "echo.si('errback')"})

    one('apply-async-queue', f"add.apply_async((1, 1), queue='{Q_OTHER}')",
        lambda: add.apply_async((1, 1), queue=Q_OTHER), queue=Q_OTHER,
        task='proto.add', args=[1, 1], kwargs={}, options={'queue': Q_OTHER})

    one('send-task', "app.send_task('proto.add', args=[5, 6], kwargs={})",
        lambda: app.send_task('proto.add', args=[5, 6], kwargs={}),
        task='proto.add', args=[5, 6], kwargs={}, options={})

    one('kwargs', "add.apply_async(kwargs={'x': 1, 'y': 2})",
        lambda: add.apply_async(kwargs={'x': 1, 'y': 2}),
        task='proto.add', args=[], kwargs={'x': 1, 'y': 2}, options={})

    json_args = (datetime.datetime(2024, 1, 2, 3, 4, 5, 678901),
                 datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
                 datetime.date(2024, 1, 2), datetime.time(3, 4, 5),
                 uuid.UUID('12345678-1234-5678-1234-567812345678'),
                 decimal.Decimal('1.10'), (1, 2), 'ünï', 2 ** 70)
    one('json-types',
        'echo.delay(datetime(2024,1,2,3,4,5,678901), datetime(2024,1,2,3,4,5,tzinfo=utc), '
        "date(2024,1,2), time(3,4,5), UUID('12345678-1234-5678-1234-567812345678'), "
        "Decimal('1.10'), (1, 2), 'ünï', 2**70, k=1e100)",
        lambda: echo.delay(*json_args, k=1e100),
        task='proto.echo', args_python_repr=[repr(a) for a in json_args],
        kwargs_python_repr={'k': repr(1e100)}, options={})

    one('chain', 'chain(add.s(1, 2), mul.s(3), mul.s(4)).apply_async()',
        lambda: chain(add.s(1, 2), mul.s(3), mul.s(4)).apply_async(),
        task='celery.chain', steps=[['proto.add', [1, 2]], ['proto.mul', [3]],
                                    ['proto.mul', [4]]], options={},
        note='only the first step is published; the rest travel reversed in embed.chain')

    one('group', 'group(add.s(1, 1), add.s(2, 2)).apply_async()',
        lambda: group(add.s(1, 1), add.s(2, 2)).apply_async(), expect=2,
        task='celery.group', members=[['proto.add', [1, 1]], ['proto.add', [2, 2]]],
        options={})

    # chord: the client also writes celery-taskset-meta-<gid>.s (chord size)
    sent_at = now_iso()
    res = chord([add.s(1, 1), add.s(2, 2)], tsum.s()).apply_async()
    msgs = drain(Q, 2)
    gid = res.parent.id
    rc = redis.Redis.from_url(REDIS_URL)
    skey = f'celery-taskset-meta-{gid}.s'
    REDIS_EXTRA_KEYS.add(skey)
    scenario('chord', {'python': 'chord([add.s(1, 1), add.s(2, 2)], tsum.s()).apply_async()',
                       'task': 'celery.chord', 'header': [['proto.add', [1, 1]], ['proto.add', [2, 2]]],
                       'body': ['proto.tsum', []], 'backend': REDIS_URL, 'options': {}},
             msgs, sent_at,
             redis_keys_written_by_client={skey: {
                 'value': rc.get(skey).decode(), 'ttl_seconds': rc.ttl(skey),
                 'type': rc.type(skey).decode()}})

    one('starmap', 'add.starmap([(1, 2), (3, 4)]).delay()',
        lambda: add.starmap([(1, 2), (3, 4)]).delay(),
        task='celery.starmap', options={})
    one('map', 'tsum.map([[1, 2], [3]]).delay()',
        lambda: tsum.map([[1, 2], [3]]).delay(), task='celery.map', options={})

    # protocol 1 (legacy): no 'task' header, dict body
    app.conf.task_protocol = 1
    app.amqp.__dict__.pop('create_task_message', None)
    try:
        one('protocol-1', 'add.apply_async((7, 8), countdown=5)  # task_protocol=1',
            lambda: add.apply_async((7, 8), countdown=5),
            task='proto.add', args=[7, 8], kwargs={}, options={'countdown': 5},
            conf={'task_protocol': 1})
    finally:
        app.conf.task_protocol = 2
        app.amqp.__dict__.pop('create_task_message', None)

    # priority queue: a separate app whose queues get x-max-priority
    papp = Celery('celeriac_fx_prio', broker=AMQP_URL, backend=REDIS_URL)
    papp.conf.update(task_default_queue=Q_PRIO, task_queue_max_priority=10,
                     control_exchange=NS)
    sent_at = now_iso()
    papp.send_task('proto.add', args=[1, 2], priority=7)
    msgs = drain(Q_PRIO, 1)
    decl = [q for q in rabbitmqctl('list_queues', 'name', 'durable', 'auto_delete',
                                   'exclusive', 'arguments') if q['name'] == Q_PRIO]
    scenario('priority-queue',
             {'python': "send_task('proto.add', args=[1, 2], priority=7)",
              'task': 'proto.add', 'args': [1, 2], 'kwargs': {}, 'options': {'priority': 7},
              'conf': {'task_default_queue': Q_PRIO, 'task_queue_max_priority': 10}},
             msgs, sent_at, queue_declaration=decl)
    papp.close()

    capture_redis_broker()


def capture_redis_broker():
    """Bonus: kombu's Redis-transport envelope for the same tasks (db 10)."""
    rapp = Celery('celeriac_fx_redis', broker=REDIS_BROKER_URL, backend=REDIS_URL)
    rapp.conf.update(task_default_queue=Q, control_exchange=NS)
    r10 = redis.Redis.from_url(REDIS_BROKER_URL)
    lists = [Q] + [f'{Q}\x06\x16{p}' for p in (3, 6, 9)]
    before = set(r10.keys('*'))
    sent_at = now_iso()
    rapp.send_task('proto.add', args=[2, 3])
    rapp.send_task('proto.add', args=[4, 5], priority=7)
    msgs = []
    for key in lists:
        while True:
            raw = r10.rpop(key)
            if raw is None:
                break
            msgs.append({'list_key': key, 'envelope_raw': raw.decode()})
    binding_key = f'_kombu.binding.{Q}'
    created = sorted(k.decode() for k in set(r10.keys('*')) - before)
    doc = {'scenario': 'redis-broker', 'captured_with': CAPTURED_WITH,
           'sent_at': sent_at,
           'call': {'python': "send_task('proto.add', args=[2, 3]); "
                              "send_task('proto.add', args=[4, 5], priority=7)",
                    'broker': REDIS_BROKER_URL},
           'messages': msgs,
           'binding_members': sorted(m.decode() for m in r10.smembers(binding_key)),
           'keys_created': created}
    write(V2_DIR, 'redis-broker', doc)
    for k in created:
        if k.startswith(Q) or k == binding_key:
            r10.delete(k)
    rapp.close()


def capture_topology(worker_running):
    """rabbitmqctl view of everything named celeriac_fx*."""
    queues = [q for q in rabbitmqctl('list_queues', 'name', 'durable', 'auto_delete',
                                     'exclusive', 'arguments') if ours(q['name'])]
    exchanges = [e for e in rabbitmqctl('list_exchanges', 'name', 'type', 'durable',
                                        'auto_delete', 'internal', 'arguments')
                 if ours(e['name'])]
    bindings = [b for b in rabbitmqctl('list_bindings', 'source_name', 'source_kind',
                                       'destination_name', 'destination_kind',
                                       'routing_key', 'arguments')
                if ours(b['source_name']) or ours(b['destination_name'])]
    return {'worker_running': worker_running,
            'queues': sorted(queues, key=lambda q: q['name']),
            'exchanges': sorted(exchanges, key=lambda e: e['name']),
            'bindings': sorted(bindings, key=lambda b: (b['source_name'],
                                                        b['destination_name'],
                                                        b['routing_key']))}


# --------------------------------------------------------------------------
# Parts B/C: results written by a real worker
# --------------------------------------------------------------------------

def set_backend(url):
    app.conf.result_backend = url
    if hasattr(app._local, 'backend'):
        del app._local.backend


def start_worker(backend):
    env = dict(os.environ, INTEROP_BACKEND=backend)
    log = tempfile.NamedTemporaryFile('w', prefix='celeriac_fx_worker_', suffix='.log',
                                      delete=False)
    proc = subprocess.Popen(
        [sys.executable, '-m', 'celery', '-A', 'celeriac_interop_tasks', 'worker',
         '-n', NODE, '-Q', Q, '-c', '2', '--without-mingle', '--without-gossip',
         '-l', 'warning'], cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if app.control.ping(destination=[NODE], timeout=1):
            return proc, log.name
        if proc.poll() is not None:
            break
    raise RuntimeError(f'worker did not start, see {log.name}')


def stop_worker(proc):
    app.control.shutdown(destination=[NODE])
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.wait(30)


def capture_rpc_results():
    """rpc:// backend: our client's reply queue is celeriac_fx_replies
    (declared by Celery's own rpc backend on first send: non-durable,
    auto-delete, x-expires); we read it with basic_get and never consume."""
    set_backend('rpc://')
    app._local.oid = Q_REPLIES  # the name Celery uses for reply_to + declare
    proc, _log = start_worker('rpc://')
    topology = None
    try:
        ids = {}
        calls = {}

        def send(key, python, fn):
            calls[key] = python
            ids[key] = fn().id

        send('success', 'add.delay(2, 3)', lambda: add.delay(2, 3))
        send('failure', "fail.delay('boom')", lambda: fail.delay('boom'))
        send('started', 'sleep.delay(0.5)  # track_started=True', lambda: sleep.delay(0.5))
        send('retry', 'retry_once.delay(7)  # retries once: countdown=1, exc=KeyError',
             lambda: retry_once.delay(7))
        send('not-registered', "app.send_task('proto.does_not_exist', args=[1])",
             lambda: app.send_task('proto.does_not_exist', args=[1]))
        send('progress', "app.send_task('proto.progress')  # update_state PROGRESS",
             lambda: app.send_task('proto.progress'))
        # revoke before delivery
        rid = str(uuid.uuid4())
        app.control.revoke(rid, destination=[NODE], reply=True, timeout=2)
        send('revoked', "app.control.revoke(id); add.apply_async((9, 9), task_id=id)",
             lambda: add.apply_async((9, 9), task_id=rid))
        # retry republished into a capture queue nobody consumes
        sent_at = now_iso()
        retry_call = (f"app.send_task('proto.retry_to_capture', args=[1, '{Q_CAPTURE}'], "
                      "headers={'x_custom': 'hello'}, time_limit=30, soft_time_limit=20, "
                      "priority=3, shadow='retry-shadowed')")
        retry_res = app.send_task('proto.retry_to_capture', args=[1, Q_CAPTURE],
                                  headers={'x_custom': 'hello'}, time_limit=30,
                                  soft_time_limit=20, priority=3, shadow='retry-shadowed')
        ids['retry-to-capture'] = retry_res.id
        calls['retry-to-capture'] = retry_call

        final = {'SUCCESS', 'FAILURE', 'REVOKED'}
        per_id = {i: [] for i in ids.values()}
        deadline = time.time() + 30
        while time.time() < deadline:
            for m in drain(Q_REPLIES):
                per_id.setdefault(m['properties'].get('correlation_id'), []).append(m)
            done = all(any(json.loads(m['body'])['status'] in final for m in per_id[i])
                       for k, i in ids.items() if k != 'retry-to-capture')
            if done and per_id[ids['retry-to-capture']]:
                break
            time.sleep(0.2)
        republished = drain(Q_CAPTURE, 1, timeout=10)
        topology = capture_topology(worker_running=True)
    finally:
        stop_worker(proc)

    for key, tid in ids.items():
        if key == 'retry-to-capture':
            continue
        msgs = per_id[tid]
        write(RESULTS_DIR, 'rpc-' + key, {
            'scenario': 'rpc-' + key, 'captured_with': CAPTURED_WITH, 'backend': 'rpc://',
            'call': {'python': calls[key]}, 'task_id': tid,
            'states': [json.loads(m['body'])['status'] for m in msgs],
            'messages': msgs})
    doc = {'scenario': 'retry-republished', 'captured_with': CAPTURED_WITH,
           'sent_at': sent_at,
           'call': {'python': retry_call, 'task': 'proto.retry_to_capture',
                    'task_body': f"raise self.retry(countdown=5, queue='{Q_CAPTURE}', "
                                 "exc=KeyError('captured retry'))"},
           'original_task_id': retry_res.id,
           'note': 'the message the worker republished on Task.retry (same id, '
                   'retries+1); compare with the headers the client sent (see call)'}
    doc.update(republished[0] if len(republished) == 1 else {'messages': republished})
    doc['retry_result_messages'] = per_id[retry_res.id]
    write(V2_DIR, 'retry-republished', doc)
    return topology


def capture_redis_results():
    """redis:// backend: GET celery-task-meta-<id> after the task finished,
    plus every PUBLISHed state on the same-named channel."""
    set_backend(REDIS_URL)
    rc = redis.Redis.from_url(REDIS_URL)
    proc, _log = start_worker(REDIS_URL)
    try:
        cases = [
            ('success', 'add.delay(2, 3)', lambda tid: add.apply_async((2, 3), task_id=tid)),
            ('failure', "fail.delay('boom')", lambda tid: fail.apply_async(('boom',), task_id=tid)),
            ('started', 'sleep.delay(0.5)  # track_started=True',
             lambda tid: sleep.apply_async((0.5,), task_id=tid)),
            ('retry', 'retry_once.delay(7)', lambda tid: retry_once.apply_async((7,), task_id=tid)),
            ('revoked', 'app.control.revoke(id); add.apply_async((9, 9), task_id=id)', None),
        ]
        out = []
        for key, python, fn in cases:
            tid = str(uuid.uuid4())
            REDIS_IDS.add(tid)
            chan = f'celery-task-meta-{tid}'
            ps = rc.pubsub(ignore_subscribe_messages=True)
            ps.subscribe(chan)
            if fn is None:
                app.control.revoke(tid, destination=[NODE], reply=True, timeout=2)
                add.apply_async((9, 9), task_id=tid)
            else:
                fn(tid)
            published, deadline = [], time.time() + 30
            while time.time() < deadline:
                m = ps.get_message(timeout=0.5)
                if m and m['type'] == 'message':
                    published.append(m['data'].decode())
                    if json.loads(published[-1])['status'] in ('SUCCESS', 'FAILURE', 'REVOKED'):
                        break
            ps.close()
            raw = rc.get(chan)
            out.append((key, python, tid, chan, raw.decode() if raw else None,
                        rc.ttl(chan), published))
    finally:
        stop_worker(proc)
    for key, python, tid, chan, raw, ttl, published in out:
        write(RESULTS_DIR, 'redis-' + key, {
            'scenario': 'redis-' + key, 'captured_with': CAPTURED_WITH,
            'backend': REDIS_URL, 'call': {'python': python}, 'task_id': tid,
            'key': chan, 'value': raw, 'ttl_seconds': ttl,
            'published': published,
            'note': 'value = GET after completion; published = messages on the '
                    'pub/sub channel named like the key, in order'})


# --------------------------------------------------------------------------

def cleanup():
    conn, ch = amqp_channel()
    for q in (Q, Q_OTHER, Q_PRIO, Q_CAPTURE, Q_REPLIES):
        ch.queue_delete(q)
    for ex in (Q, Q_OTHER, Q_PRIO, Q_CAPTURE, NS + '.pidbox', 'reply.' + NS + '.pidbox',
               NS + '_ev'):
        ch.exchange_delete(ex)
    conn.close()
    rc = redis.Redis.from_url(REDIS_URL)
    for tid in REDIS_IDS:
        rc.delete(f'celery-task-meta-{tid}')
    for k in REDIS_EXTRA_KEYS:
        rc.delete(k)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--skip-results', action='store_true',
                    help='only capture task messages (no worker)')
    args = ap.parse_args()
    os.makedirs(V2_DIR, exist_ok=True)
    os.makedirs(RESULTS_DIR, exist_ok=True)
    try:
        capture_task_messages()
        topology = {'captured_with': CAPTURED_WITH,
                    'rabbitmq_version': subprocess.run(
                        ['rabbitmqctl', '--version'], capture_output=True,
                        text=True).stdout.strip(),
                    'note': 'rabbitmqctl list_queues/list_exchanges/list_bindings '
                            'filtered to celeriac_fx names. client_only: after the '
                            'Python client published the celery-v2 scenarios (no '
                            'worker ever ran). with_worker: while a worker ran with '
                            'the rpc backend (pidbox, events, rpc reply queue).',
                    'client_only': capture_topology(worker_running=False)}
        if not args.skip_results:
            topology['with_worker'] = capture_rpc_results()
            capture_redis_results()
        write(V2_DIR, 'topology', topology)
    finally:
        cleanup()


if __name__ == '__main__':
    main()
