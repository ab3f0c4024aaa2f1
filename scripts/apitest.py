#!/usr/bin/env python3
"""Runs the API suite (tests/api/test_*.py) one file per process, N files at a time.

Each test file starts its own servers on free ports with temporary stores, so files are
independent; most of a file's time is spent waiting on its servers (a start, a batch, a
kill), so a 2-core machine runs three at once well.  The slowest files start first
(build/apitest-durations.json, written after each full run on SQLite, else
tests/api/durations.json, else by size).  A file's output is
printed whole when it ends, so the log reads file by file.

  scripts/apitest.py [-j N] [PATTERN]      (WANGGE_BIN and WANGGE_TEST_PG as for unittest)
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
API = os.path.join(HERE, '..', 'tests', 'api')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-j', type=int, default=int(os.environ.get('APITEST_JOBS', '3')))
    ap.add_argument('pattern', nargs='?', default='test_*.py')
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(API, args.pattern)))
    if not files:
        print('apitest: no file matches ' + args.pattern, file=sys.stderr)
        return 2
    # how long each file took: this build's last full run, else the committed figures (a
    # run on PostgreSQL, tests/api/durations.json) — a clean checkout runs slowest first too
    dur_path = os.path.join(API, '..', '..', 'build', 'apitest-durations.json')
    known = {}
    for path in (os.path.join(API, 'durations.json'), dur_path):
        try:
            with open(path, encoding='utf-8') as f:
                known.update(json.load(f))
        except (OSError, ValueError):
            pass
    # slowest first: the longest files must not be the last to start
    files.sort(key=lambda p: -known.get(os.path.basename(p), os.path.getsize(p) / 1000.0))

    def run(path):
        t0 = time.monotonic()
        p = subprocess.run([sys.executable, '-m', 'unittest', '-v', os.path.basename(path)[:-3]], cwd=API,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        return path, p.returncode, p.stdout.decode('utf-8', 'replace'), time.monotonic() - t0

    failed = []
    took = {}
    t_all = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
        for path, rc, out, secs in ex.map(run, files):
            name = os.path.basename(path)
            took[name] = round(secs, 1)
            sys.stdout.write('==== %s (%.1f s)%s\n%s' % (name, secs, '' if rc == 0 else ' FAILED', out))
            sys.stdout.flush()
            if rc != 0:
                failed.append(name)
    # (not a run under valgrind, make valgrind: its times are not the suite's)
    if args.pattern == 'test_*.py' and not os.environ.get('WANGGE_TEST_PG') and not os.environ.get('VALGRIND_LOGS'):
        try:
            os.makedirs(os.path.dirname(dur_path), exist_ok=True)
            with open(dur_path, 'w', encoding='utf-8') as f:
                json.dump(took, f, indent=0, sort_keys=True)
        except OSError:
            pass
    print('apitest: %d files in %.0f s, %d failed%s' % (len(files), time.monotonic() - t_all, len(failed),
                                                    (': ' + ', '.join(failed)) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
