"""Send generated canvases from Python Celery and print their results (interop test client).

    /usr/bin/python3 canvas_drive.py CASES.jsonl [--timeout S]

CASES.jsonl holds one {"id": ..., "tree": ...} object per line, the tree spec that
packages/core/test/helpers/canvas-gen.ts generates. Every canvas is built with
celery.canvas (celeriac_canvas_tasks.build) and sent first; then each result is read back
and one JSON line per case is printed: {"id", "value"} or {"id", "error", "error_type"}.

Results are read by polling the backend (AsyncResult state / result, group members one by
one) rather than with AsyncResult.get(): with hundreds of results pending at once, Celery
5.2's pub/sub result consumer in one client process was seen to miss some that were stored.
Configured by the same env vars as celeriac_canvas_tasks.py / celeriac_interop_tasks.py.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def wait_value(res, deadline):
    """The value of a (group) result: poll each member's stored state until it is ready."""
    from celery import states
    from celery.result import ResultSet
    if isinstance(res, ResultSet):
        return [wait_value(r, deadline) for r in res.results]
    while True:
        meta = res.backend.get_task_meta(res.id, cache=False)
        if meta['status'] in states.READY_STATES:
            if meta['status'] != states.SUCCESS:
                raise RuntimeError(f"{meta['status']}: {meta['result']!r}")
            return meta['result']
        if time.monotonic() > deadline:
            raise TimeoutError(f'no result for {res.id}')
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cases')
    ap.add_argument('--timeout', type=float, default=120)
    a = ap.parse_args()
    import celeriac_canvas_tasks as canvas

    with open(a.cases) as f:
        cases = [json.loads(line) for line in f if line.strip()]
    sent = []
    for case in cases:
        try:
            sent.append((case['id'], canvas.build(case['tree']).apply_async(), None))
        except Exception as exc:  # reported per case, the others still run
            sent.append((case['id'], None, exc))
    deadline = time.monotonic() + a.timeout
    for case_id, result, error in sent:
        if error is None:
            try:
                out = {'id': case_id, 'value': wait_value(result, deadline)}
            except Exception as exc:
                error = exc
        if error is not None:
            out = {'id': case_id, 'error': str(error), 'error_type': type(error).__name__}
        sys.stdout.write(json.dumps(out, default=str) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
