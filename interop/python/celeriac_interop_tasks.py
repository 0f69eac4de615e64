"""Reference Python Celery app for Celeriac interop tests.

Start a worker (from this directory):

    INTEROP_QUEUE=celeriac_it_tasks /usr/bin/python3 -m celery -A celeriac_interop_tasks \
        worker -n celeriac_it_w1@%h -Q celeriac_it_tasks -c 2 \
        --without-mingle --without-gossip -l warning

Configuration comes only from environment variables, so the same module serves
the worker, the drive.py client and the fixture capture script:

  INTEROP_BROKER   broker URL      (default amqp://guest:guest@127.0.0.1:5672//)
  INTEROP_BACKEND  result backend  (default rpc://)
  INTEROP_QUEUE    default task queue; its exchange and routing key get the
                   same name (default celeriac_it_tasks)
  INTEROP_NS       namespace that replaces Celery's shared default names
                   (default celeriac_it):
                     control exchange  <NS>.pidbox / reply.<NS>.pidbox  (default celery.pidbox)
                     event exchange    <NS>_ev                           (default celeryev)
                     event queues      <NS>_ev.<uuid>                    (default celeryev.<uuid>)
  INTEROP_REDIS    Redis used by proto.errback / proto.count for side effects
                   (default redis://127.0.0.1:6379/9)
  INTEROP_BROKER_SSL_CA / _CERT / _KEY / _SERVERNAME
                   TLS to the broker (Celery's broker_use_ssl): CA file, client
                   certificate and key files, the name the broker's certificate
                   must carry (any of them set turns TLS on, verification required)
  INTEROP_BROKER_KEYPREFIX / _VISIBILITY_TIMEOUT  (Redis broker transport options)
  INTEROP_BROKER_LOGIN_METHOD
                   broker_login_method, e.g. EXTERNAL (log in with the certificate)

Every client and worker that must talk to each other needs the same
INTEROP_QUEUE / INTEROP_NS / INTEROP_BACKEND values.
"""
import os
import time

from celery import Celery

BROKER = os.environ.get('INTEROP_BROKER', 'amqp://guest:guest@127.0.0.1:5672//')
BACKEND = os.environ.get('INTEROP_BACKEND', 'rpc://')
QUEUE = os.environ.get('INTEROP_QUEUE', 'celeriac_it_tasks')
NS = os.environ.get('INTEROP_NS', 'celeriac_it')
REDIS_URL = os.environ.get('INTEROP_REDIS', 'redis://127.0.0.1:6379/9')

# Side-effect keys written by tasks expire on their own so an aborted test
# never leaves them behind forever (tests should still delete them).
SIDE_EFFECT_TTL = 3600

app = Celery('celeriac_interop_tasks', broker=BROKER, backend=BACKEND)
app.conf.update(
    task_default_queue=QUEUE,
    control_exchange=NS,
    event_exchange=NS + '_ev',
    event_queue_prefix=NS + '_ev',
    worker_hijack_root_logger=False,
)

_SSL = {key: os.environ.get('INTEROP_BROKER_SSL_' + key.upper())
        for key in ('ca', 'cert', 'key', 'servername')}
if any(_SSL.values()):
    import ssl
    app.conf.broker_use_ssl = {
        'ca_certs': _SSL['ca'],
        'certfile': _SSL['cert'],
        'keyfile': _SSL['key'],
        'server_hostname': _SSL['servername'],
        'cert_reqs': ssl.CERT_REQUIRED,
    }
# Redis broker transport options (kombu): a private key prefix, a short visibility timeout
_TRANSPORT = {}
if os.environ.get('INTEROP_BROKER_KEYPREFIX'):
    _TRANSPORT['global_keyprefix'] = os.environ['INTEROP_BROKER_KEYPREFIX']
if os.environ.get('INTEROP_BROKER_VISIBILITY_TIMEOUT'):
    _TRANSPORT['visibility_timeout'] = float(os.environ['INTEROP_BROKER_VISIBILITY_TIMEOUT'])
if _TRANSPORT:
    app.conf.broker_transport_options = _TRANSPORT
if os.environ.get('INTEROP_BROKER_LOGIN_METHOD'):
    app.conf.broker_login_method = os.environ['INTEROP_BROKER_LOGIN_METHOD']

_redis = None


def redis_client():
    """Lazily connected Redis client for side-effect keys (db 9 by default)."""
    global _redis
    if _redis is None:
        import redis
        _redis = redis.Redis.from_url(REDIS_URL)
    return _redis


@app.task(name='proto.add')
def add(x, y):
    return x + y


@app.task(name='proto.mul')
def mul(x, y):
    return x * y


@app.task(name='proto.tsum')
def tsum(numbers):
    return sum(numbers)


@app.task(name='proto.echo')
def echo(*args, **kwargs):
    """Return what was received, to check (de)serialization round-trips."""
    return {'args': list(args), 'kwargs': kwargs}


@app.task(name='proto.fail')
def fail(message='boom'):
    raise ValueError(message)


@app.task(name='proto.sleep', track_started=True)
def sleep(seconds=1.0):
    time.sleep(seconds)
    return seconds


@app.task(name='proto.retry_once', bind=True, max_retries=3)
def retry_once(self, value):
    """First run raises Retry (countdown 1 s); the second run succeeds."""
    if self.request.retries == 0:
        raise self.retry(countdown=1, exc=KeyError('try again'))
    return {'value': value, 'retries': self.request.retries}


# Request fields reported by proto.request_info (what a producer controls).
REQUEST_FIELDS = (
    'id', 'root_id', 'parent_id', 'group', 'group_index', 'retries', 'eta',
    'expires', 'timelimit', 'origin', 'reply_to', 'correlation_id',
    'delivery_info', 'hostname', 'argsrepr', 'kwargsrepr', 'shadow',
)


@app.task(name='proto.request_info', bind=True)
def request_info(self, *args, **kwargs):
    """Return the task request as the Python worker parsed it.

    Besides REQUEST_FIELDS, 'task' and 'ignore_result' are included, and
    'custom_headers' holds any non-standard message header (Celery copies
    unknown headers into the request context), e.g. {'x_custom': 'hello'}.
    Positional/keyword arguments are accepted and ignored.
    """
    r = self.request
    info = {f: getattr(r, f, None) for f in REQUEST_FIELDS}
    info['task'] = r.task
    info['ignore_result'] = r.ignore_result
    standard = set(REQUEST_FIELDS) | {
        'task', 'ignore_result', 'lang', 'args', 'kwargs', 'is_eager',
        'callbacks', 'errbacks', 'chain', 'chord', 'called_directly',
        'properties', 'headers', 'meth', 'utc', 'taskset', 'stamps',
        'stamped_headers', 'replaced_task_nesting', 'loglevel', 'logfile',
        'delivery_tag', 'timeout', 'hostname', '_children', '_protected',
    }
    info['custom_headers'] = {
        k: v for k, v in vars(r).items()
        if k not in standard and not k.startswith('_')
        and isinstance(v, (str, int, float, bool, list, dict, type(None)))
    }
    return info


@app.task(name='proto.trace_context', bind=True)
def trace_context(self):
    """The W3C trace context the task sees, where opentelemetry-instrumentation-celery reads it.

    The instrumentation extracts `traceparent`, `tracestate` and `baggage` with
    getattr(task.request, key): top-level message headers land there. 'nested' is the
    `headers` table Sentry and dd-trace write (None when absent).
    """
    r = self.request
    nested = r.headers if isinstance(r.headers, dict) else None
    return {
        'traceparent': getattr(r, 'traceparent', None),
        'tracestate': getattr(r, 'tracestate', None),
        'baggage': getattr(r, 'baggage', None),
        'nested': {k: nested.get(k) for k in ('traceparent', 'tracestate', 'baggage')} if nested else None,
    }


@app.task(name='proto.progress', bind=True)
def progress(self):
    """Report a custom PROGRESS state, then succeed with 'ok'."""
    self.update_state(state='PROGRESS', meta={'done': 1, 'total': 2})
    time.sleep(1)
    return 'ok'


@app.task(name='proto.errback', ignore_result=True)
def errback(task_id):
    """link_error target: records the id of the task that failed.

    ignore_result=True: it leaves no celery-task-meta-* key of its own.

    It takes exactly one positional parameter on purpose: a Python worker
    then *sends* it as a task with args [failed_task_id] (a function with
    more than one positional parameter, or *args, would be called inline as
    f(request, exc, traceback) instead).
    Side effect: SET celeriac-it-errback-<task_id> = task_id (Redis db 9).
    """
    redis_client().set('celeriac-it-errback-' + task_id, task_id,
                       ex=SIDE_EFFECT_TTL)
    return task_id


@app.task(name='proto.count')
def count(key):
    """INCR a Redis key (db 9) and return the new value.

    Used to prove each task ran exactly once when Python and Node workers
    share a queue. The key gets a 1 h TTL; tests should delete it.
    """
    r = redis_client()
    value = r.incr(key)
    r.expire(key, SIDE_EFFECT_TTL)
    return value


@app.task(name='proto.retry_to_capture', bind=True, max_retries=3)
def retry_to_capture(self, value, queue):
    """Fixture-capture helper: retry once (countdown 5 s) into `queue`,
    which nobody consumes, so the republished message can be inspected."""
    raise self.retry(countdown=5, queue=queue, exc=KeyError('captured retry'))
