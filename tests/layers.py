#!/usr/bin/env python3
"""
tests/layers.py SRCDIR CIDIR: the folders of src/ as layers.  From the
#include lines: no folder uses one above it in LAYERS (so no cycle
crosses a concern), conf/ uses only lib/.  From the call graph (gcc
-fcallgraph-info's .ci files in CIDIR): the longest chain of calls from
main.c crosses at most MAX_CHAIN files.  Prints TAP.
"""
import glob
import os
import re
import sys

LAYERS = ['main', 'master', 'child', 'handlers', 'client', 'state', 'conf',
          'lib']
MAX_CHAIN = 7

src = os.path.join(sys.argv[1] if len(sys.argv) > 1 else '.', 'src')
include = re.compile(r'^#include "([a-z_]+/[a-z_]+)\.h"', re.M)
deps = {}
for d, _, names in os.walk(src):
    for n in names:
        path = os.path.relpath(os.path.join(d, n), src)
        if not n.endswith(('.c', '.h')) or path.startswith('import/'):
            continue
        node = path.rsplit('.', 1)[0]
        with open(os.path.join(d, n)) as f:
            deps.setdefault(node, set()).update(
                i for i in include.findall(f.read()) if i != node)


def folder(node):
    return node.split('/')[0] if '/' in node else node


t = 0


def point(ok, what, detail=''):
    global t
    t += 1
    print(f'{"ok" if ok else "not ok"} {t} - {what}')
    if not ok and detail:
        print('# ' + detail.replace('\n', '\n# '))


up = [f'{a} -> {b}' for a in sorted(deps) for b in sorted(deps[a])
      if folder(a) in LAYERS and folder(b) in LAYERS and
      LAYERS.index(folder(b)) <= LAYERS.index(folder(a)) and
      folder(a) != folder(b)]
point(not up, 'no file uses a folder at or above its own layer '
      '(' + ' > '.join(LAYERS) + ')', '\n'.join(up))
unknown = sorted({folder(n) for n in deps} - set(LAYERS))
point(not unknown, 'every folder of src/ has its layer', ' '.join(unknown))
conf_out = [f'{a} -> {b}' for a in sorted(deps) for b in sorted(deps[a])
            if folder(a) == 'conf' and folder(b) not in ('conf', 'lib')]
point(not conf_out, 'conf/ uses only conf/ and lib/', '\n'.join(conf_out))


# The call graph, from gcc -fcallgraph-info's .ci files in sys.argv[2]:
# functions, the file each is defined in, and who calls whom.  A chain is
# a path of calls from main(); its length is the number of files it
# passes through (consecutive calls within one file count once).  Calls
# through function pointers (the handler table) are not seen; recursion
# is cut where it closes.
node_re = re.compile(r'node: \{ title: "([^"]+)" label: "[^"]*\\n([^":]*)')
edge_re = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
where, callees = {}, {}
for ci in glob.glob(os.path.join(sys.argv[2], '*.ci')):
    with open(ci) as f:
        for line in f:
            m = node_re.match(line)
            if m and 'shape' not in line:
                where[m.group(1)] = os.path.normpath(m.group(2))
            m = edge_re.match(line)
            if m:
                callees.setdefault(m.group(1), set()).add(m.group(2))
memo = {}


def longest(fn, stack):
    """The files of the longest chain of calls from fn, and whether that
    holds whatever the callers (no call was cut for closing a loop)."""
    if fn in memo:
        return memo[fn], True
    files, whole = [where[fn]], True
    for callee in sorted(callees.get(fn, ())):
        if callee not in where:
            continue
        if callee in stack:
            whole = False
            continue
        chain, w = longest(callee, stack | {fn})
        whole = whole and w
        if chain[0] == where[fn]:
            chain = chain[1:]
        if 1 + len(chain) > len(files):
            files = [where[fn]] + chain
    if whole:
        memo[fn] = files
    return files, whole


chain = longest('main', frozenset())[0] if 'main' in where else []
point(len(chain) > 0 and len(chain) <= MAX_CHAIN,
      f'the longest call chain from main.c crosses {len(chain)} files '
      f'(at most {MAX_CHAIN})', ' -> '.join(chain))
print(f'# longest call chain: {" -> ".join(chain)}')
print(f'1..{t}')
sys.exit(0)
