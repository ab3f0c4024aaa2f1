#!/usr/bin/env python3
"""The house's import rules, checked from the #include lines (make lint runs it).

1. The folders import downwards only: core ← db ← domain ← app ← http ← api ← cli
   (a folder may include its own headers and those of any folder to its left; a
   test build's fault VFS is the store's own).
2. Inside src/domain the modules form no cycle: module X (X.c and X.h) depends on Y when
   either includes domain/Y.h.  A cycle is printed with the line of each include.
3. Every statement of the catalogue (src/db/sql.def) is used somewhere in src/.
Exit status 1 on a break of any rule, with one line per break."""
import os
import re
import sys

ORDER = ["core", "db", "domain", "app", "http", "api", "cli"]
INC = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([a-z_]+)\.h"', re.M)


def includes(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = INC.match(line)
            if m:
                out.append((m.group(1), m.group(2), n))
    return out


def main(root):
    src = os.path.join(root, "src")
    bad = []
    graph = {}  # domain module -> {module: (file, line)}
    for folder in sorted(os.listdir(src)):
        d = os.path.join(src, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(d, name)
            rel = os.path.relpath(path, root)
            for (f, h, line) in includes(path):
                if folder in ORDER and f in ORDER and ORDER.index(f) > ORDER.index(folder):
                    bad.append(f"{rel}:{line}: {folder}/ includes {f}/{h}.h, a layer above it")
                if folder == "domain" and f == "domain":
                    me = name[:-2]
                    if h != me:
                        graph.setdefault(me, {}).setdefault(h, (rel, line))
            if folder == "domain":
                graph.setdefault(name[:-2], {})
    # cycles: Tarjan's strongly connected components
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
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
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    for comp in comps:
        edges = [f"{a} → {b} ({graph[a][b][0]}:{graph[a][b][1]})" for a in comp for b in sorted(graph[a]) if b in comp]
        bad.append("domain modules in a cycle: " + ", ".join(comp) + "\n    " + "\n    ".join(edges))
    # the catalogue: no statement nobody runs
    with open(os.path.join(src, "db", "sql.def"), encoding="utf-8") as f:
        names = re.findall(r"^STMT\((\w+),", f.read(), re.M)
    text = []
    for folder in os.listdir(src):
        d = os.path.join(src, folder)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            if name.endswith((".c", ".h")):
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    text.append(f.read())
    used = set(re.findall(r"\bSQL_(\w+)", "\n".join(text)))
    for n in names:
        if n not in used:
            bad.append(f"src/db/sql.def: STMT({n}) is used nowhere in src/")
    for b in bad:
        print("check-layers: " + b)
    if not bad:
        print(f"check-layers: {len(graph)} domain modules, no cycle; every folder imports downwards;"
              f" {len(names)} catalogue statements, each used")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
