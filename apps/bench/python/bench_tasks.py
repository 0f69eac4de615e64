"""The Python Celery peer of `pnpm bench` (apps/bench): the same tasks as the Node bench.

  bench.noop(i)  returns i (the no-op of the drain, end-to-end and round-trip scenarios)
  bench.cpu(n)   n rounds of the same 32-bit FNV-1a-style mix as apps/bench/src/cpu-tasks.ts

Started by the bench, never by hand in normal use:

    BENCH_QUEUE=q BENCH_NS=ns /usr/bin/python3 -m celery -A bench_tasks worker -Q q -P prefork -c 2 ...

Configuration comes only from environment variables (so the worker and bench_drive.py agree):
  BENCH_BROKER   broker URL (default amqp://guest:guest@127.0.0.1:5672//)
  BENCH_BACKEND  result backend URL, or "none" (default none: results ignored)
  BENCH_QUEUE    the task queue (its exchange and routing key have the same name)
  BENCH_NS       replaces Celery's shared control and event exchange names (celery.pidbox, celeryev)
"""
import os

from celery import Celery

BROKER = os.environ.get('BENCH_BROKER', 'amqp://guest:guest@127.0.0.1:5672//')
BACKEND = os.environ.get('BENCH_BACKEND', 'none')
QUEUE = os.environ.get('BENCH_QUEUE', 'bench_py')
NS = os.environ.get('BENCH_NS', 'bench_py_ns')

app = Celery('bench_tasks', broker=BROKER, backend=None if BACKEND == 'none' else BACKEND)
app.conf.update(
    task_default_queue=QUEUE,
    task_default_exchange=QUEUE,
    task_default_routing_key=QUEUE,
    control_exchange=NS,
    event_exchange=NS + '_ev',
    task_ignore_result=BACKEND == 'none',
    task_acks_late=True,
    result_expires=600,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


@app.task(name='bench.noop')
def noop(i):
    return i


@app.task(name='bench.cpu')
def cpu(n):
    h = 0x811c9dc5
    for i in range(n):
        h ^= i & 0xff
        h = (h * 0x01000193) & 0xffffffff
    return h
