"""Capture Celery events with Python's own EventReceiver and print them as JSON lines.

Run with /usr/bin/python3; configured by the same env vars as celeriac_interop_tasks.py.
    events_dump.py SECONDS [--ready-file PATH]
Prints one JSON object per event received within SECONDS (task.multi batches are already
unpacked by the receiver), then exits 0. With --ready-file, the file is created once the
receiver's queue is bound, so a test can start sending only then.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from celeriac_interop_tasks import app  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('seconds', type=float)
    ap.add_argument('--ready-file')
    a = ap.parse_args()

    def on_event(event):
        print(json.dumps(event, default=repr), flush=True)

    deadline = time.time() + a.seconds
    with app.connection_for_read() as conn:
        recv = app.events.Receiver(conn, handlers={'*': on_event})
        # consumer_context declares the receiver's queue, binds it with '#' and starts consuming
        with recv.consumer_context() as (conn2, _channel, _consumers):
            if a.ready_file:
                open(a.ready_file, 'w').close()
            while time.time() < deadline:
                try:
                    conn2.drain_events(timeout=max(0.1, min(1.0, deadline - time.time())))
                except OSError:  # socket.timeout
                    pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
