"""Arithmetic tasks for the generated-canvas interop test (Python side).

The same tasks are implemented in TypeScript (packages/core/test/helpers/canvas-tasks.ts);
both implementations must stay identical. Each task exists under two names,
`gen.node.<op>` and `gen.py.<op>`, and `task_routes` sends `gen.node.*` to
CANVAS_NODE_QUEUE and `gen.py.*` to CANVAS_PY_QUEUE: the name chooses the side a
step runs on, for a Node sender and a Python sender alike (map / starmap / chunks
are routed by their inner task's name, as Celery routes them).

Calling convention: the last positional argument is the step's tag
("<run>|<case>.<path>"); the numbers before it (lists are flattened) are the operands.
A map item is one list `[x, tag]` (celery.map calls f(item)). Every run does
HINCRBY celeriac-gen:<run> "<tag>@py" 1, so the test can check that each step ran
exactly once and on the side its name says.

    add: sum of the operands mod 1000003
    mul: product of the operands mod 1000003
    cat: fold acc = (acc * 31 + n) mod 1000003 from 0 (the order of the operands matters)
    replace(tag, spec=...): replaces itself (Task.replace) with the canvas built from spec

Start a worker: INTEROP_APP=celeriac_canvas_tasks worker.sh NODE QUEUE
"""
import os

from celery import chain, chord, group
from celery.canvas import chunks, xmap, xstarmap

from celeriac_interop_tasks import app, redis_client

MOD = 1000003
NODE_QUEUE = os.environ.get('CANVAS_NODE_QUEUE', 'celeriac_gen_node')
PY_QUEUE = os.environ.get('CANVAS_PY_QUEUE', 'celeriac_gen_py')
COUNT_TTL = 3600

app.conf.task_routes = {
    'gen.node.*': {'queue': NODE_QUEUE},
    'gen.py.*': {'queue': PY_QUEUE},
}


def flatten(values, out):
    for v in values:
        if isinstance(v, (list, tuple)):
            flatten(v, out)
        else:
            out.append(v)
    return out


def operands(args):
    """(numbers, tag) from a call's positional arguments."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])  # a map item: [x, tag]
    if not args or not isinstance(args[-1], str):
        raise TypeError(f'gen task called without a tag: {args!r}')
    return flatten(args[:-1], []), args[-1]


def count(tag):
    run = tag.split('|', 1)[0]
    key = 'celeriac-gen:' + run
    r = redis_client()
    r.hincrby(key, tag + '@py', 1)
    r.expire(key, COUNT_TTL)


def apply_op(op, numbers):
    acc = 1 if op == 'mul' else 0
    for n in numbers:
        if op == 'add':
            acc = (acc + n) % MOD
        elif op == 'mul':
            acc = acc * n % MOD
        else:  # cat: order matters
            acc = (acc * 31 + n) % MOD
    return acc


def build(spec):
    """A Celery canvas from the JSON tree spec the test generates."""
    kind = spec['t']
    if kind == 'task':
        sig = app.signature(f"gen.{spec['side']}.{spec['op']}", args=[*spec['args'], spec['tag']])
        if spec.get('imm'):
            sig.set(immutable=True)
        return sig
    if kind == 'chain':
        return chain(*[build(s) for s in spec['steps']])
    if kind == 'group':
        return group([build(s) for s in spec['members']])
    if kind == 'chord':
        return chord([build(s) for s in spec['header']], build(spec['body']))
    if kind == 'replace':
        return app.signature(f"gen.{spec['side']}.replace", args=[spec['tag']], kwargs={'spec': spec['with']})
    inner = app.signature(f"gen.{spec['side']}.{spec['op']}")
    tag = spec['tag']
    if kind == 'map':
        return xmap(inner, [[x, f'{tag}.{i}'] for i, x in enumerate(spec['items'])], app=app)
    if kind == 'starmap':
        return xstarmap(inner, [[*it, f'{tag}.{i}'] for i, it in enumerate(spec['items'])], app=app)
    if kind == 'chunks':
        return chunks(inner, [[*it, f'{tag}.{i}'] for i, it in enumerate(spec['items'])], spec['n'], app=app)
    raise ValueError(f'unknown canvas node {kind!r}')


def define(side, op):
    @app.task(name=f'gen.{side}.{op}', shared=False)
    def arithmetic(*args):
        numbers, tag = operands(args)
        count(tag)
        return apply_op(op, numbers)
    return arithmetic


def define_replace(side):
    @app.task(name=f'gen.{side}.replace', bind=True, shared=False)
    def replace(self, *args, spec=None):
        _, tag = operands(args[-1:])
        count(tag)
        return self.replace(build(spec))
    return replace


for _side in ('node', 'py'):
    for _op in ('add', 'mul', 'cat'):
        define(_side, _op)
    define_replace(_side)
