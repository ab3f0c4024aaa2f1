#!/bin/sh
# Builds against each other on one PostgreSQL store: check-ins only (no dashboards), each
# build on a fresh copy of the same store, so that two builds' figures differ by the build
# and not by what the runs before them wrote.  Prints, per build: check-ins/s, p99, and the
# CPU a check-in of wangge and of the cluster's processes (all of the cluster's user's).
#
# usage: PGURL=postgres://… bench/pg_ab.sh [SECONDS] BIN...
#   PGURL    a database holding a city preset (wangge demo --db URL --preset city --scale 0.1);
#            its cluster gets two more databases: wg_ab_tpl (once: the preset without
#            check-ins, analysed) and wg_ab_run (each run's copy of it)
#   BIN      wangge binaries, run in turn (e.g. build/wangge /tmp/old/build/wangge)
# Environment: CONNS (default 64), EXTRA (more `serve` options, e.g. "--writers 1").
# 127.0.0.1 only; needs wrk, psql, curl.
set -e
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
SECS=${1:-20}
shift || true
if [ -z "$PGURL" ] || [ $# -eq 0 ]; then
  echo "usage: PGURL=postgres://… bench/pg_ab.sh [SECONDS] BIN..." >&2
  exit 2
fi
CONNS=${CONNS:-64}
PGOPTIONS=${PGOPTIONS:--c client_min_messages=warning} # (no notice of a database not there to drop)
export PGOPTIONS
base=${PGURL%/*}
q() { psql -qtA -d "$1" -c "$2"; }
if [ "$(q "$base/postgres" "SELECT count(*) FROM pg_database WHERE datname = 'wg_ab_tpl'")" = 0 ]; then
  q "$base/postgres" "CREATE DATABASE wg_ab_tpl TEMPLATE $(q "$PGURL" 'SELECT current_database()')" >/dev/null
  psql -qtA -d "$base/wg_ab_tpl" -c "TRUNCATE checkins CASCADE" -c "DELETE FROM day_counts" -c "VACUUM ANALYZE" >/dev/null 2>&1
fi
owner=$(q "$PGURL" "SELECT usename FROM pg_stat_activity WHERE backend_type = 'checkpointer'" 2>/dev/null || true)
[ -n "$owner" ] || owner=postgres
pgcpu() { t=0; for p in $(pgrep -u "$owner"); do v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0); t=$((t + v)); done; echo $t; }
port=$(free_port)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for BIN in "$@"; do
  q "$base/postgres" "DROP DATABASE IF EXISTS wg_ab_run" >/dev/null
  q "$base/postgres" "CREATE DATABASE wg_ab_run TEMPLATE wg_ab_tpl" >/dev/null
  url=$base/wg_ab_run
  # shellcheck disable=SC2086
  "$BIN" serve --db "$url" --listen 127.0.0.1:$port --max-per-address 100000 --quiet $EXTRA >"$T/serve.log" 2>&1 &
  S=$!
  wait_up "$port" 300
  checkin_lua "$T/checkin.lua" "$(demo_token "$port")" "$(q "$url" "SELECT max(id) FROM residents")"
  # the copy was analysed without check-ins: a few seconds of them, then ANALYZE (load.sh does the same)
  wrk -t1 -c"$CONNS" -d5s -s "$T/checkin.lua" "http://127.0.0.1:$port/" >/dev/null
  q "$url" "ANALYZE" >/dev/null
  c0=$(awk '{print $14 + $15}' /proc/$S/stat); p0=$(pgcpu)
  out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/checkin.lua" "http://127.0.0.1:$port/")
  c1=$(awk '{print $14 + $15}' /proc/$S/stat); p1=$(pgcpu)
  kill $S; wait $S 2>/dev/null || true
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  n=$(echo "$rps * $SECS" | bc)
  hz=$(getconf CLK_TCK)
  printf '%-40s %9s check-ins/s  p99 %-9s  wangge %4s µs  PostgreSQL %4s µs a check-in\n' "$BIN" "$rps" "$p99" \
    "$(echo "($c1 - $c0) * 1000000 / $hz / $n" | bc)" "$(echo "($p1 - $p0) * 1000000 / $hz / $n" | bc)"
done
q "$base/postgres" "DROP DATABASE IF EXISTS wg_ab_run" >/dev/null
