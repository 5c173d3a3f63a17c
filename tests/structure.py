#!/usr/bin/env python3
"""The shape of src/, measured: module cycles, long files, long functions.

Run from the top of a built tree (it reads src/*.o):  tests/structure.py
A module is a file name without its ending (x.c and x.h are module x); a
header with no .c of its own belongs to the module it is the insides of:
x_int.h to x, else the module that defines most of the functions it declares
(keylog_secret.h to keylog). A header of types only is a module of its own.

- include cycles: module a -> b when a.c or a.h includes "b.h"
- call cycles: module a -> b when a.o uses a symbol b.o defines (nm)
- files over 900 lines, functions over 80 lines (ctags' end: field)

Exit status 1 when any cycle is found; lengths are reported, not judged,
because name tables and table-like functions are allowed to be long.
Not run by make check: it is a tool for whoever changes the layout.
"""
import glob
import os
import re
import subprocess
import sys

SRC = "src"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)\.h"', re.M)


def module(path):
    return os.path.splitext(os.path.basename(path))[0]


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def show(title, edges):
    found = cycles(edges)
    print("%s: %d" % (title, len(found)))
    for comp in found:
        inner = ["%s->%s" % (a, b) for a in comp
                 for b in sorted(edges.get(a, ())) if b in comp]
        print("  " + " ".join(comp) + "   (" + ", ".join(inner) + ")")
    return len(found)


def defined_symbols():
    """symbol -> the module whose object defines it (src/*.o, nm)."""
    defined = {}
    for o in sorted(glob.glob(SRC + "/*.o")):
        nm = subprocess.run(["nm", o], capture_output=True, text=True,
                            check=True).stdout
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBR":
                defined[parts[2]] = module(o)
    return defined


def owners(defined):
    """A header without a .c of its own -> the module it belongs to."""
    own = {}
    for h in glob.glob(SRC + "/*.h"):
        m = module(h)
        if os.path.exists(os.path.join(SRC, m + ".c")):
            continue
        if m.endswith("_int") and os.path.exists(os.path.join(SRC, m[:-4] + ".c")):
            own[m] = m[:-4]
            continue
        out = subprocess.run(["ctags", "-x", "--c-kinds=p", "--_xformat=%N", h],
                             capture_output=True, text=True, check=True).stdout
        votes = {}
        for name in out.split():
            if name in defined:
                votes[defined[name]] = votes.get(defined[name], 0) + 1
        if votes:
            own[m] = max(sorted(votes), key=votes.get)
    return own


def include_graph(own):
    edges = {}
    files = glob.glob(SRC + "/*.c") + glob.glob(SRC + "/*.h")
    known = {module(f) for f in files}
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        a = own.get(module(f), module(f))
        for b in INCLUDE.findall(text):
            b = os.path.basename(b)
            if b in known:
                b = own.get(b, b)
                if b != a:
                    edges.setdefault(a, set()).add(b)
    return edges


def call_graph():
    defined, used = {}, {}
    for o in sorted(glob.glob(SRC + "/*.o")):
        m = module(o)
        if m.startswith("tlsdiag-"):
            m = m[len("tlsdiag-"):]
        nm = subprocess.run(["nm", o], capture_output=True, text=True,
                            check=True).stdout
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBR":
                defined[parts[2]] = m
            elif len(parts) == 2 and parts[0] == "U":
                used.setdefault(m, set()).add(parts[1])
    edges = {}
    for m, syms in used.items():
        for s in syms:
            d = defined.get(s)
            if d and d != m:
                edges.setdefault(m, set()).add(d)
    return edges


def long_files(limit=900):
    rows = []
    for f in sorted(glob.glob(SRC + "/*.[ch]")):
        with open(f, encoding="utf-8", errors="replace") as fh:
            n = sum(1 for _ in fh)
        if n > limit:
            rows.append((n, f))
    print("files over %d lines: %d" % (limit, len(rows)))
    for n, f in sorted(rows, reverse=True):
        print("  %5d %s" % (n, f))


def long_functions(limit=80):
    out = subprocess.run(["ctags", "-x", "--c-kinds=f", "--fields=+ne",
                          "--_xformat=%N %F %n %{end}"] +
                         sorted(glob.glob(SRC + "/*.c")),
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        name, path, start, end = line.split()
        n = int(end) - int(start) + 1
        if n > limit:
            rows.append((n, "%s:%s %s" % (path, start, name)))
    print("functions over %d lines: %d" % (limit, len(rows)))
    for n, where in sorted(rows, reverse=True):
        print("  %5d %s" % (n, where))


def main():
    own = owners(defined_symbols())
    bad = show("include cycles", include_graph(own))
    if glob.glob(SRC + "/*.o"):
        bad += show("call cycles", call_graph())
    else:
        print("call cycles: not measured (build first: no src/*.o)")
    long_files()
    long_functions()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
