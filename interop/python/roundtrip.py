"""Round-trips AMQP header tables and JSON bodies through real kombu / py-amqp.

Driven by packages/core/test/interop/roundtrip.test.ts. Run with /usr/bin/python3.
Values travel between Node and this script in a typed JSON form ("spec"), so each side
can say exactly what it read, with no float/int or bytes/str ambiguity:

  null | {"bool": b} | {"int": "<decimal digits>"} | {"float": "<repr>" | "nan" | "inf" | "-inf"}
  | {"str": s} | {"bytes": "<hex>"} | {"datetime": <unix seconds>} | {"decimal": "<str>"}
  | [spec, ...] | {"dict": {key: spec, ...}}

  echo --in Q --out Q --count N [--timeout S]
      Consume N messages from --in (headers decoded by py-amqp, body by kombu's json),
      print one JSON line per message: {"id": correlation_id, "headers": spec, "body": spec},
      and publish the same Python values back (py-amqp and kombu encode them) to --out.
  origin --out Q --back Q --cases FILE [--timeout S]
      FILE: JSON list of {"id", "headers": {key: spec}, "body": spec}. Publish each (Python
      values built from the specs) to --out, then consume one message per case from --back
      and print {"id", "ok": bool, "got": {"headers": spec, "body": spec}} for each:
      ok when what came back equals what was sent, as a Python peer would compare it.

Queues are declared (and deleted) by the caller; this script never declares anything.
"""
import argparse
import calendar
import json
import math
import os
import sys
import time
from datetime import datetime
from decimal import Decimal

from kombu import Connection, Consumer, Producer, Queue

BROKER = os.environ.get('INTEROP_BROKER', 'amqp://guest:guest@127.0.0.1:5672//')


def describe(v):
    """Python value -> spec."""
    if v is None:
        return None
    if isinstance(v, bool):
        return {'bool': v}
    if isinstance(v, int):
        return {'int': str(v)}
    if isinstance(v, float):
        if math.isnan(v):
            return {'float': 'nan'}
        return {'float': repr(v)}
    if isinstance(v, str):
        return {'str': v}
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {'bytes': bytes(v).hex()}
    if isinstance(v, datetime):
        return {'datetime': calendar.timegm(v.utctimetuple())}
    if isinstance(v, Decimal):
        return {'decimal': str(v)}
    if isinstance(v, (list, tuple)):
        return [describe(x) for x in v]
    if isinstance(v, dict):
        return {'dict': {k: describe(x) for k, x in v.items()}}
    return {'unknown': repr(v)}


def build(spec):
    """Spec -> Python value."""
    if spec is None:
        return None
    if isinstance(spec, list):
        return [build(x) for x in spec]
    (kind, value), = spec.items()
    if kind == 'bool':
        return value
    if kind == 'int':
        return int(value)
    if kind == 'float':
        return float(value)
    if kind == 'str':
        return value
    if kind == 'bytes':
        return bytes.fromhex(value)
    if kind == 'datetime':
        return datetime.utcfromtimestamp(value)
    if kind == 'decimal':
        return Decimal(value)
    if kind == 'dict':
        return {k: build(x) for k, x in value.items()}
    raise ValueError(f'unknown spec {spec!r}')


def same(a, b):
    """Equal as a Python peer sees it: 1 == 1.0, nan == nan, b'x' == 'x' (py-amqp sends bytes as text)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return a == b and (not isinstance(a, float) or not isinstance(b, float) or math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (bytes, str)) and isinstance(b, (bytes, str)):
        ab = a if isinstance(a, bytes) else a.encode('utf-8', 'surrogatepass')
        bb = b if isinstance(b, bytes) else b.encode('utf-8', 'surrogatepass')
        return ab == bb
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def drain(conn, queue, count, timeout, on_message):
    """Consume `count` messages from `queue`, or fail after `timeout` seconds.

    Messages are handled (and acked) after drain_events returns: publishing from inside
    kombu's callback would re-enter it (py-amqp drains events while publishing).
    """
    pending, seen = [], 0

    deadline = time.monotonic() + timeout
    with Consumer(conn.channel(), queues=[Queue(queue, no_declare=True)], callbacks=[lambda body, m: pending.append(m)],
                  accept=['json'], prefetch_count=100):
        while seen < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f'only {seen} of {count} messages arrived on {queue}')
            try:
                conn.drain_events(timeout=min(left, 1))
            except OSError:  # socket.timeout: nothing this second
                pass
            while pending:
                message = pending.pop(0)
                on_message(message)
                message.ack()
                seen += 1


def cmd_echo(conn, a):
    producer = Producer(conn.channel())

    def on_message(message):
        headers = dict(message.headers)
        body = message.decode()
        emit({'id': message.properties.get('correlation_id'), 'headers': describe(headers), 'body': describe(body)})
        producer.publish(body, exchange='', routing_key=a.out, serializer='json', headers=headers,
                         correlation_id=message.properties.get('correlation_id'), retry=False)

    drain(conn, getattr(a, 'in'), a.count, a.timeout, on_message)


def cmd_origin(conn, a):
    with open(a.cases) as f:
        cases = json.load(f)
    sent = {}
    producer = Producer(conn.channel())
    for case in cases:
        headers = {k: build(v) for k, v in case['headers'].items()}
        body = build(case['body'])
        sent[case['id']] = (headers, body)
        producer.publish(body, exchange='', routing_key=a.out, serializer='json', headers=headers,
                         correlation_id=case['id'], retry=False)

    def on_message(message):
        cid = message.properties.get('correlation_id')
        headers, body = dict(message.headers), message.decode()
        want_headers, want_body = sent[cid]
        emit({'id': cid, 'ok': same(want_headers, headers) and same(want_body, body),
              'got': {'headers': describe(headers), 'body': describe(body)}})

    drain(conn, a.back, len(cases), a.timeout, on_message)


def main():
    ap = argparse.ArgumentParser(prog='roundtrip.py')
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('echo')
    p.add_argument('--in', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--count', type=int, required=True)
    p.add_argument('--timeout', type=float, default=60)
    p.set_defaults(fn=cmd_echo)
    p = sub.add_parser('origin')
    p.add_argument('--out', required=True)
    p.add_argument('--back', required=True)
    p.add_argument('--cases', required=True)
    p.add_argument('--timeout', type=float, default=60)
    p.set_defaults(fn=cmd_origin)
    args = ap.parse_args()
    with Connection(BROKER) as conn:
        args.fn(conn, args)


if __name__ == '__main__':
    main()
