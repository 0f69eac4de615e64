"""Client side of the Python Celery peer, started by `pnpm bench`; prints one JSON line.

  bench_drive.py produce N          sends N bench.noop tasks with apply_async (Celery's default:
                                    persistent, no publisher confirms); prints the rate
  bench_drive.py rtt COUNT WARMUP   COUNT sequential bench.noop.delay(i).get() after WARMUP
                                    unmeasured ones (needs a worker and BENCH_BACKEND)

Same environment variables as bench_tasks.py.
"""
import json
import sys
import time

from bench_tasks import app, noop


def produce(n):
    with app.producer_or_acquire() as producer:
        noop.apply_async((0,), producer=producer)  # connect and declare before the clock starts
        started = time.perf_counter()
        for i in range(n):
            noop.apply_async((i,), producer=producer)
        elapsed = time.perf_counter() - started
    print(json.dumps({'rate': n / max(elapsed, 1e-6)}))


def rtt(count, warmup):
    latencies = []
    ids = []
    for i in range(warmup + count):
        started = time.perf_counter()
        result = noop.delay(i)
        value = result.get(timeout=10)
        ms = (time.perf_counter() - started) * 1000
        ids.append(result.id)
        if value != i:
            raise RuntimeError('round trip %d returned %r' % (i, value))
        if i >= warmup:
            latencies.append(ms)
    print(json.dumps({'latencies': latencies, 'ids': ids}))


if __name__ == '__main__':
    if sys.argv[1] == 'produce':
        produce(int(sys.argv[2]))
    elif sys.argv[1] == 'rtt':
        rtt(int(sys.argv[2]), int(sys.argv[3]))
    else:
        raise SystemExit('usage: bench_drive.py produce N | rtt COUNT WARMUP')
