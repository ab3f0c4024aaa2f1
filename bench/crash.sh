#!/bin/sh
# The long durability run: hundreds of kill -9s under concurrent check-ins, on SQLite and
# (when PostgreSQL is installed) on a throwaway PostgreSQL cluster. Prints the figures.
# usage: bench/crash.sh [KILLS]   (default 200)
set -e
cd "$(dirname "$0")/.."
make -s build/wangge >/dev/null
K=${1:-200}
WANGGE_BIN=$PWD/build/wangge python3 tests/crash/crash_test.py --kills "$K" --threads 16 --defer-batch 2
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  d=$(mktemp -d); chmod 755 "$d"
  url=$(scripts/pg.sh start "$d/pg")
  WANGGE_TEST_PG=$url WANGGE_BIN=$PWD/build/wangge python3 tests/crash/crash_test.py --kills "$K" --threads 8 || rc=1
  scripts/pg.sh stop "$d/pg"; rm -rf "$d"
  exit ${rc:-0}
fi
