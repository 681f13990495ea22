#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""import-graph.py - which driver file calls which, and the cycles among them

Usage: test/import-graph.py [--rev REV] [--check]

For each non-static function declared in src/*.h, finds the src/*.c that
defines it (git grep of the prototypes and of column-0 definitions); then,
in each src/*.c with comments and strings removed, which of those functions
it names (a call or a function pointer in an ops table). A static inline in
a header counts as the functions it names, for every file that uses it.
Prints the edges "from -> to: functions", the strongly connected
components of more than one file (the cycles) and the pairs of files that
call each other.

--rev REV   read the tree of a commit instead of the work tree (tracked
            and untracked files)
--check     exit 1 if a cycle other than the core and its bus glues
            (multicap-core.c, multicap-pci.c, multicap-platform.c) exists

Only src/*.c and src/*.h: the simulated card (src/sim/) is another module.
"""
import argparse
import re
import subprocess
import sys

ALLOWED = {"multicap-core.c", "multicap-pci.c", "multicap-platform.c"}
IDENT = re.compile(r"\b[A-Za-z_]\w*\b")


def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True,
                          text=True).stdout


def grep(rev, pattern, paths):
    """git grep -E, in REV or the work tree; [(path, line)]."""
    args = ["grep", "-n"] + ([] if rev else ["--untracked"]) + ["-E", pattern]
    if rev:
        args.append(rev)
    args += ["--", *paths]
    res = subprocess.run(["git", *args], capture_output=True, text=True)
    if res.returncode > 1:
        sys.exit(res.stderr)
    out = []
    for line in res.stdout.splitlines():
        if rev:
            line = line[len(rev) + 1:]
        path, _, rest = line.split(":", 2)
        out.append((path, rest))
    return out


def files(rev, suffix):
    """src/*SUFFIX, not in subdirectories."""
    args = ["ls-tree", "-r", "--name-only", rev, "--", "src"] if rev else \
        ["ls-files", "-co", "--exclude-standard", "--", "src"]
    return sorted(f for f in git(*args).split()
                  if f.endswith(suffix) and "/" not in f[4:])


def text(rev, path):
    if rev:
        return git("show", f"{rev}:{path}")
    with open(path) as f:
        return f.read()


def strip(src):
    """Drop comments, string and character literals and preprocessor lines."""
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    src = re.sub(r"//[^\n]*", " ", src)
    src = re.sub(r'"(\\.|[^"\\])*"', '""', src)
    src = re.sub(r"'(\\.|[^'\\])*'", "''", src)
    return re.sub(r"^\s*#[^\n]*(\\\n[^\n]*)*", " ", src, flags=re.M)


def prototypes(rev):
    """Non-static functions declared at column 0 of src/*.h."""
    names = set()
    for _, line in grep(rev, r"^[a-z].*\b[a-z_0-9]+\(", ["src/*.h"]):
        if line.startswith(("static", "#", "typedef")):
            continue
        if line.startswith("struct ") and not re.match(r"^struct \w+ \*+\w+\(", line):
            continue
        m = re.search(r"\b([a-z_][a-z_0-9]*)\(", line)
        if m:
            names.add(m.group(1))
    return names


def inlines(rev):
    """Static inline functions of src/*.h and the identifiers they name."""
    body = {}
    for h in files(rev, ".h"):
        src = strip(text(rev, h))
        for m in re.finditer(r"^static inline [^;{]*?\b(\w+)\(([^)]*)\)\s*\{",
                             src, flags=re.M):
            depth, i = 1, m.end()
            while depth and i < len(src):
                depth += {"{": 1, "}": -1}.get(src[i], 0)
                i += 1
            body[m.group(1)] = set(IDENT.findall(src[m.end():i]))
    return body


def definers(rev, names):
    """The src/*.c defining each name (a column-0 line, not a declaration)."""
    where = {}
    for path, line in grep(rev, r"^([a-z].*[ *])?[a-z_][a-z_0-9]*\(", ["src/*.c"]):
        if line.startswith("static") or line.rstrip().endswith(";"):
            continue
        m = re.search(r"\b([a-z_][a-z_0-9]*)\(", line)
        if m and m.group(1) in names:
            where[m.group(1)] = path.split("/")[-1]
    return where


def sccs(nodes, edges):
    """Tarjan: strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []

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
            out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rev")
    ap.add_argument("--check", action="store_true")
    opt = ap.parse_args()
    rev = opt.rev
    if rev:
        rev = git("rev-parse", "--verify", rev + "^{commit}").strip()

    names = prototypes(rev)
    where = definers(rev, names)
    undefined = sorted(names - where.keys())
    inl = inlines(rev)
    cfiles = [f.split("/")[-1] for f in files(rev, ".c")]
    edges, why = {}, {}
    for c in cfiles:
        used = set(IDENT.findall(strip(text(rev, "src/" + c))))
        for fn in list(used & inl.keys()):
            used |= inl[fn]
        for fn in sorted(used & where.keys()):
            to = where[fn]
            if to != c:
                edges.setdefault(c, set()).add(to)
                why.setdefault((c, to), []).append(fn)

    print(f"# import graph of src/*.c ({rev[:12] if rev else 'work tree'})")
    print("## edges")
    for (a, b) in sorted(why):
        print(f"{a} -> {b}: {', '.join(why[(a, b)])}")
    print("## cycles (strongly connected components)")
    bad = 0
    for comp in sccs(cfiles, edges):
        if len(comp) < 2:
            continue
        ok = set(comp) <= ALLOWED
        bad += not ok
        print(("allowed: " if ok else "CYCLE: ") + " <-> ".join(comp))
    mutual = [(a, b) for (a, b) in sorted(why) if a < b and (b, a) in why]
    if mutual:
        print("## files that call each other")
        for a, b in mutual:
            print(f"{a} <-> {b}")
    if undefined:
        print("## declared in src/*.h, defined in no src/*.c")
        print(", ".join(undefined))
    if opt.check and bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
