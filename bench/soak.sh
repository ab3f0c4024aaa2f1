#!/bin/sh
# The soak: a day's mixed load on one server for MINUTES, open-loop, 127.0.0.1 only,
# bounded in time (bench/soak.py does the load and prints a line every 30 s, then the end
# checks: integrity, counters against a recount, every acknowledged check-in present, the
# mid-soak backup opened and checked).  Exit status 1 when an end check fails.
#
# usage: bench/soak.sh [MINUTES] [RATE] [SCALE]
#   MINUTES  length (default 25)
#   RATE     check-ins a second, open-loop (default 300; the issue's soak: 1,750 — more
#            than a Python load generator sends on two shared cores)
#   SCALE    city preset scale (default 0.1, kept in bench/out/ as bench/load.sh does;
#            `qinghe` for the small demo, as `make soaktest` uses)
# SOAK_DB=FILE starts from a copy of FILE instead of the preset (a store grown by
# bench/grow_checkins.py: where a long soak's tail appears, in minutes); SOAK_BIN=FILE
# runs another build of the server (old vs new back to back).
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
MIN=${1:-25} RATE=${2:-300} SCALE=${3:-0.1}
make -s build/wangge >/dev/null
BIN=${SOAK_BIN:-build/wangge}
T=$(mktemp -d)
trap 'kill $SRV_PID 2>/dev/null || true; rm -rf "$T"' EXIT
if [ "$SCALE" = qinghe ]; then
  build/wangge demo --db "$T/run.db" --preset qinghe --households 3000 --seed 5 >/dev/null
else
  mkdir -p bench/out
  DB=bench/out/city-$SCALE.db
  if [ -z "$SOAK_DB" ] && [ ! -f "$DB" ]; then
    echo "building the city preset at scale $SCALE (once) …"
    rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
    build/wangge demo --db "$DB.tmp" --preset city --scale "$SCALE" > "$DB.log"
    mv "$DB.tmp" "$DB"; rm -f "$DB.tmp-wal" "$DB.tmp-shm" "$DB.log"
  fi
  [ -n "$SOAK_DB" ] && DB=$SOAK_DB
  cp "$DB" "$T/run.db"
  # written out before the server starts: the copy's ~300 MB of dirty pages would
  # otherwise be flushed in its first 30 s and its commits' fsyncs queue behind them
  sync "$T/run.db"
fi
PORT=$(free_port)
$BIN serve --db "$T/run.db" --listen 127.0.0.1:$PORT --quiet >"$T/server.log" 2>&1 & SRV_PID=$!
wait_up "$PORT" 600
echo "wangge soak — $MIN min, $RATE check-ins/s open-loop, store $SCALE${SOAK_DB:+ ($SOAK_DB)}, $(nproc) cores, server pid $SRV_PID port $PORT store $T/run.db"
rc=0
python3 bench/soak.py --bin "$BIN" --db "$T/run.db" --port "$PORT" --pid "$SRV_PID" --minutes "$MIN" \
  --rate "$RATE" --out "$T" || rc=1
t0=$(date +%s.%N)
kill -TERM $SRV_PID; wait $SRV_PID || rc=1
echo "SIGTERM: exit in $(printf %.1f "$(echo "$(date +%s.%N) - $t0" | bc)") s"
exit $rc
