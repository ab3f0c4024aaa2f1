#!/bin/sh
# Check-ins alone against a store that is already built (any demo preset, password
# wangge-demo-2026): wangge serves it, wrk posts check-ins of random residents from
# CONNECTIONS connections for SECONDS, and the rate and latency are printed.  For comparing
# stores on the same data, e.g. a qinghe demo on PostgreSQL and on a Citus cluster
# (docs/SCALING.md).  The store keeps the check-ins made.  127.0.0.1 only.
#
# usage: bench/checkins.sh DB [SECONDS] [CONNECTIONS] [WRITERS]
#   BENCH_USER=command: check in as that demo account instead of admin (on Citus: a user
#   bound to a district has every statement routed; admin, above it, looks each resident's
#   district up on every shard first — docs/SCALING.md)
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
DB=$1 SECS=${2:-20} CONNS=${3:-16} WRITERS=${4:-2}
[ -n "$DB" ] || { echo "usage: bench/checkins.sh DB [SECONDS] [CONNECTIONS] [WRITERS]" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench/checkins.sh needs wrk (apt-get install wrk)"; exit 1; }
make -s build/wangge >/dev/null
T=$(mktemp -d)
trap 'kill $SRV_PID 2>/dev/null || true; rm -rf "$T"' EXIT
WP=$(free_port)
build/wangge serve --db "$DB" --listen 127.0.0.1:$WP --writers "$WRITERS" --quiet & SRV_PID=$!
wait_up "$WP"
TOKEN=$(demo_token "$WP" "${BENCH_USER:-admin}")
case "$DB" in
postgres*) NRES=$(psql -qtA -d "$DB" -c "select max(id) from residents") ;;
*) NRES=$(sqlite3 "$DB" "select max(id) from residents") ;;
esac
checkin_lua "$T/checkin.lua" "$TOKEN" "$NRES"
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/checkin.lua" "http://127.0.0.1:$WP/" > "$T/w"
printf '%-28s %s\n' "store" "$DB"
printf '%-28s %s\n' "check-ins/s" "$(awk '/Requests\/sec/ {print $2}' "$T/w")"
printf '%-28s %s\n' "latency p50 / p99" "$(awk '/ 50%/ {a=$2} / 99%/ {b=$2} END {print a " / " b}' "$T/w")"
printf '%-28s %s\n' "non-2xx answers" "$(awk '/Non-2xx/ {print $NF} END {}' "$T/w")"
