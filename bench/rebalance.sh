#!/bin/sh
# Adding a worker while the service runs (issue 20): a throwaway Citus coordinator with two
# workers, the province preset loaded, `wangge serve` on it; then bench/rebalance.py runs a
# rush of check-ins (each by the resident's grid worker, each with a client_id), starts a
# third worker and adds it during the rush, runs citus_rebalance_start() and keeps the rush
# going while the shards move and after.  Prints what was answered in each phase, whether
# every acknowledged check-in is in the store and whether the counters equal a recount.
# Bounded in time; 127.0.0.1 only.
#
# usage: bench/rebalance.sh [SCALE] [THREADS] [BEFORE] [AFTER]
#   SCALE    province preset scale (default 0.001: 3 cities, 6 districts, 30,000 residents)
#   THREADS  client threads checking in (default 8)
#   BEFORE   seconds of rush before the worker is added (default 20); AFTER: after the moves (20)
# The shards move by logical replication (Citus's default when it can: writes go on while a
# shard is copied and are held only while it switches over), so every node runs with
# wal_level = logical.
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
SCALE=${1:-0.001} THREADS=${2:-8} BEFORE=${3:-20} AFTER=${4:-20}
../shared/tools/citus-install.sh --check >/dev/null || { echo "Citus is not installed (../shared/tools/citus-install.sh)"; exit 1; }
make -s build/wangge >/dev/null
T=$(mktemp -d)
chmod 755 "$T"
trap 'kill $SRV_PID 2>/dev/null || true; ../shared/tools/citus-cluster.sh stop "$T/citus"; rm -rf "$T"' EXIT
URL=$(../shared/tools/citus-cluster.sh start "$T/citus" 2)
as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
for n in "$T"/citus/node*/; do
  echo "wal_level = logical" >> "$n/postgresql.conf"
  as /usr/lib/postgresql/15/bin/pg_ctl -D "$n" -w -m fast restart >/dev/null
done
s=$(date +%s)
build/wangge demo --db "$URL" --preset province --scale "$SCALE" | head -1
echo "(built on the two-worker cluster in $(( $(date +%s) - s )) s; load average $(cut -d' ' -f1-3 /proc/loadavg))"
psql -X -q -d "$URL" -c "VACUUM ANALYZE"
P=$(free_port)
build/wangge serve --db "$URL" --listen "127.0.0.1:$P" --max-per-address 100000 --writers 2 --quiet > "$T/server.log" 2>&1 & SRV_PID=$!
wait_up "$P" 600
rc=0
python3 bench/rebalance.py "$URL" "$P" "$T/citus" "$THREADS" "$BEFORE" "$AFTER" || rc=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -c "" "$T/server.log" >/dev/null && tail -5 "$T/server.log"
exit $rc
