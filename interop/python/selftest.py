"""Self-test of the interop harness: real Python worker + drive.py subcommands.

    /usr/bin/python3 interop/python/selftest.py [--backend rpc|redis|both]

Starts worker.sh (node celeriac_it_self_w1@<host>, queue celeriac_it_self,
namespace celeriac_it_self), runs every drive.py subcommand the way a
TypeScript test would (subprocess, one JSON line on stdout), checks the
answers, shuts the worker down with `drive.py shutdown`, then deletes the
queue/exchanges (`drive.py cleanup`) and the Redis keys it created
(`drive.py forget`). Prints PASS/FAIL lines; exit 0 when all passed.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 'celeriac_it_self'
NODE = f'{NS}_w1@{socket.gethostname()}'
REDIS = 'redis://127.0.0.1:6379/9'
RESULTS = []


def drive(env, *args, ok_codes=(0,)):
    p = subprocess.run([sys.executable, os.path.join(HERE, 'drive.py'), *args],
                       env=env, capture_output=True, text=True, timeout=120)
    lines = p.stdout.strip().splitlines()
    assert p.returncode in ok_codes, (args, p.returncode, p.stdout, p.stderr[-2000:])
    assert len(lines) == 1, (args, p.stdout)
    return json.loads(lines[0]), p.returncode


def check(name, fn):
    try:
        ok = fn()
        RESULTS.append((name, bool(ok), '' if ok else 'returned falsy'))
    except Exception as exc:  # noqa: BLE001
        RESULTS.append((name, False, repr(exc)[:500]))


def run(backend):
    env = dict(os.environ, INTEROP_QUEUE=NS, INTEROP_NS=NS,
               INTEROP_BACKEND='rpc://' if backend == 'rpc' else REDIS)
    tag = f'[{backend}] '
    forget = []  # task ids whose Redis results we must delete
    worker = subprocess.Popen([os.path.join(HERE, 'worker.sh'), NODE, NS], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def call(*a, **kw):
            out, _ = drive(env, *a, **kw)
            if 'id' in out:
                forget.append(out['id'])
            forget.extend(out.get('ids', []) + out.get('header_ids', []))
            return out

        check(tag + 'ping --wait', lambda: call('ping', '--wait', '60', '--destination', NODE)
              ['replies'] == [{NODE: {'ok': 'pong'}}])
        check(tag + 'call proto.add', lambda: call('call', 'proto.add', '--args', '[2,3]')
              == {'id': forget[-1], 'state': 'SUCCESS', 'result': 5})
        check(tag + 'call proto.fail -> FAILURE ValueError',
              lambda: (lambda o: o['state'] == 'FAILURE' and o['exc_type'] == 'ValueError'
                       and o['exc_module'] == 'builtins' and o['exc_args'] == ['boom']
                       and 'ValueError: boom' in o['traceback'])(call('call', 'proto.fail')))
        check(tag + 'call kwargs + countdown',
              lambda: call('call', 'proto.add', '--kwargs', '{"x":1,"y":2}', '--countdown', '1')
              ['result'] == 3)
        check(tag + 'call echo unicode/nesting', lambda: call(
            'call', 'proto.echo', '--args', '["ü", 1]', '--kwargs', '{"k":[null,true,2.5]}')
            ['result'] == {'args': ['ü', 1], 'kwargs': {'k': [None, True, 2.5]}})
        check(tag + 'call request_info sees headers/priority/expires', lambda: (lambda r: (
            r['custom_headers'] == {'x_custom': 'hi'} and r['delivery_info']['priority'] == 4
            and r['expires'] is not None and r['hostname'] == NODE))(call(
                'call', 'proto.request_info', '--headers', '{"x_custom":"hi"}',
                '--priority', '4', '--expires', '60')['result']))
        check(tag + 'call retry_once', lambda: call('call', 'proto.retry_once', '--args', '[7]')
              ['result'] == {'value': 7, 'retries': 1})
        check(tag + 'call progress', lambda: call('call', 'proto.progress')['result'] == 'ok')
        slow_id = 'celeriac-it-self-' + str(uuid.uuid4())
        forget.append(slow_id)
        check(tag + 'call timeout -> exit 1 + JSON error', lambda: drive(
            env, 'call', 'proto.sleep', '--args', '[3]', '--timeout', '0.5',
            '--task-id', slow_id, ok_codes=(1,))[0]['error_type'] == 'TimeoutError')
        check(tag + 'chain', lambda: (lambda o: o['result'] == 36 and len(o['ids']) == 3)(call(
            'chain', '[{"task":"proto.add","args":[1,2]},{"task":"proto.mul","args":[3]},'
                     '{"task":"proto.mul","args":[4]}]')))
        check(tag + 'group', lambda: [r.get('result') for r in call(
            'group', '[{"task":"proto.add","args":[1,1]},{"task":"proto.add","args":[2,2]}]')
            ['results']] == [2, 4])
        if backend == 'redis':
            check(tag + 'chord', lambda: call(
                'chord', '--header', '[{"task":"proto.add","args":[1,1]},'
                                     '{"task":"proto.add","args":[2,2]}]',
                '--body', '{"task":"proto.tsum"}')['result'] == 6)

            def send_then_result():
                sent = call('send', 'proto.add', '--args', '[20,22]')
                return call('result', sent['id'])['result'] == 42
            check(tag + 'send + result', send_then_result)

            def errback_and_count():
                import redis
                r = redis.Redis.from_url(REDIS)
                out = call('chain', json.dumps([{'task': 'proto.fail', 'options': {
                    'link_error': [{'task': 'proto.errback', 'args': [], 'kwargs': {},
                                    'options': {}, 'subtask_type': None,
                                    'immutable': False}]}}]))
                key = 'celeriac-it-errback-' + out['id']
                for _ in range(50):
                    if r.get(key):
                        break
                    time.sleep(0.1)
                got = r.get(key) == out['id'].encode()
                ckey = 'celeriac-it-self-count-' + str(uuid.uuid4())
                c1 = call('call', 'proto.count', '--args', json.dumps([ckey]))['result']
                c2 = call('call', 'proto.count', '--args', json.dumps([ckey]))['result']
                r.delete(key, ckey)
                return got and (c1, c2) == (1, 2)
            check(tag + 'errback + count side effects', errback_and_count)
        else:
            check(tag + 'chord on rpc -> exit 1 NotImplementedError', lambda: drive(
                env, 'chord', '--header', '[{"task":"proto.add","args":[1,1]}]',
                '--body', '{"task":"proto.tsum"}', ok_codes=(1,))[0]['error_type']
                == 'NotImplementedError')

            def send_then_result_rpc():
                q = 'celeriac_it_self_reply_' + uuid.uuid4().hex[:8]
                sent = call('send', 'proto.add', '--args', '[20,22]', '--reply-to', q)
                return call('result', sent['id'], '--reply-to', q)['result'] == 42
            check(tag + 'send --reply-to + result --reply-to', send_then_result_rpc)
        check(tag + 'inspect registered', lambda: 'proto.count' in call(
            'inspect', 'registered', '--destination', NODE)['result'][NODE])

        def revoke_running():
            q = 'celeriac_it_self_reply_' + uuid.uuid4().hex[:8]
            args = ('--reply-to', q) if backend == 'rpc' else ()
            sent = call('send', 'proto.sleep', '--args', '[10]', *args)
            time.sleep(1.5)
            active = call('inspect', 'active', '--destination', NODE)['result'][NODE]
            rv = call('revoke', sent['id'], '--terminate')
            res = call('result', sent['id'], *args)
            return (any(t['id'] == sent['id'] for t in active)
                    and rv['replies'] == [{NODE: {'ok': 'terminate: ' + sent['id']}}]
                    and res['state'] == 'REVOKED' and res['exc_args'] == ['terminated'])
        check(tag + 'send + inspect active + revoke --terminate + result', revoke_running)

        def revoke_before():
            tid = 'celeriac-it-self-' + str(uuid.uuid4())
            call('revoke', tid)
            out = call('call', 'proto.add', '--args', '[1,1]', '--task-id', tid)
            return out['state'] == 'REVOKED' and out['exc_type'] == 'TaskRevokedError'
        check(tag + 'revoke before delivery', revoke_before)
        check(tag + 'bad JSON -> exit 1', lambda: drive(
            env, 'call', 'proto.add', '--args', 'nope', ok_codes=(1,))[0]['error_type']
            == 'UsageError')
        check(tag + 'shutdown', lambda: call('shutdown', '--destination', NODE) == {'ok': True}
              and worker.wait(30) is not None)
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(30)
        if backend == 'redis' and forget:
            drive(env, 'forget', *sorted(set(forget)))
        drive(env, 'cleanup')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--backend', choices=['rpc', 'redis', 'both'], default='both')
    a = ap.parse_args()
    for backend in (['rpc', 'redis'] if a.backend == 'both' else [a.backend]):
        run(backend)
    for name, ok, err in RESULTS:
        print(('PASS ' if ok else 'FAIL ') + name + (f'  {err}' if err else ''))
    bad = [r for r in RESULTS if not r[1]]
    print('ALL PASS' if not bad else f'{len(bad)} FAILED')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
