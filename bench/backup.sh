#!/bin/sh
# How long `wangge backup` takes on the idle server and under a continuous rush of
# check-ins, and what the rush sees meanwhile (latency, WAL size).  Prints figures only;
# bounded in time; 127.0.0.1 only.
#
# usage: bench/backup.sh [SCALE] [SECONDS] [CONNECTIONS] [STORE]
#   SCALE        city preset scale (default 0.1: a million residents)
#   SECONDS      length of the rush; the backup starts 5 s in (default 60)
#   CONNECTIONS  check-in connections (default 32)
#   STORE        sqlite (default) or postgresql (a throwaway cluster, scripts/pg.sh)
# The SQLite store is kept in bench/out/city-SCALE.db between runs, as bench/load.sh does.
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
SCALE=${1:-0.1} SECS=${2:-60} CONNS=${3:-32} STORE=${4:-sqlite}
command -v wrk >/dev/null || { echo "bench/backup.sh needs wrk (apt-get install wrk)"; exit 1; }
make -s build/wangge >/dev/null
mkdir -p bench/out
DB=bench/out/city-$SCALE.db
T=$(mktemp -d)
trap 'kill $SRV_PID $SAMPLER $WRK 2>/dev/null || true; if [ -n "$PGURL" ]; then scripts/pg.sh stop "$T/pg"; fi; rm -rf "$T"' EXIT
PGURL=""
if [ "$STORE" = postgresql ]; then
  chmod 755 "$T"
  PGURL=$(scripts/pg.sh start "$T/pg")
  RUNDB=$PGURL
  build/wangge demo --db "$RUNDB" --preset city --scale "$SCALE" | head -1
  q() { psql -qtA -d "$RUNDB" -c "$1"; }
  q "VACUUM ANALYZE"
else
  if [ ! -f "$DB" ]; then
    echo "building the city preset at scale $SCALE (once) …"
    rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
    build/wangge demo --db "$DB.tmp" --preset city --scale "$SCALE" > "$DB.log"
    head -1 "$DB.log"
    mv "$DB.tmp" "$DB"; rm -f "$DB.tmp-wal" "$DB.tmp-shm" "$DB.log"
  fi
  cp "$DB" "$T/run.db"
  # written out before the server starts: the copy's ~300 MB of dirty pages would
  # otherwise be flushed in its first 30 s and its commits' fsyncs queue behind them
  sync "$T/run.db"
  RUNDB=$T/run.db
  q() { sqlite3 "$RUNDB" "$1"; }
fi
WP=$(free_port)
build/wangge serve --db "$RUNDB" --listen 127.0.0.1:$WP --quiet & SRV_PID=$!
wait_up "$WP"
TOKEN=$(demo_token "$WP")
NRES=$(q "select max(id) from residents")
now() { date +%s.%N; }
# the idle server
s=$(now); build/wangge backup --db "$RUNDB" --out "$T/idle.bak" >/dev/null; IDLE=$(printf %.1f "$(echo "$(now) - $s" | bc)")
SIZE=$(stat -c %s "$T/idle.bak"); rm -f "$T/idle.bak"
checkin_lua "$T/checkin.lua" "$TOKEN" "$NRES"
( while kill -0 $SRV_PID 2>/dev/null; do
    [ -f "$RUNDB-wal" ] && stat -c %s "$RUNDB-wal" >> "$T/wal"
    sleep 0.5
  done ) & SAMPLER=$!
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/checkin.lua" "http://127.0.0.1:$WP/" > "$T/w" & WRK=$!
sleep 5
s=$(now)
if build/wangge backup --db "$RUNDB" --out "$T/load.bak" >/dev/null 2>"$T/err"; then
  LOAD=$(printf %.1f "$(echo "$(now) - $s" | bc)"); RESULT=finished
else
  LOAD=$(printf %.1f "$(echo "$(now) - $s" | bc)"); RESULT="FAILED: $(cat "$T/err")"
fi
wait $WRK || true
if [ -z "$PGURL" ] && [ -f "$T/load.bak" ]; then
  CHECK=$(sqlite3 "$T/load.bak" "pragma integrity_check; select count(*) from residents" | tr '\n' ' ')
elif [ -f "$T/load.bak" ]; then
  CHECK="pg_restore --list: $(pg_restore --list "$T/load.bak" | grep -c 'TABLE DATA') tables with data"
else
  CHECK="no file"
fi
kill $SAMPLER 2>/dev/null || true; wait $SAMPLER 2>/dev/null || true
kill $SRV_PID; wait $SRV_PID 2>/dev/null || true
lat() { awk -v p="$1" '$1 == p {print $2}' "$T/w"; }
total=$(awk '/requests in/ {print $1}' "$T/w")
echo
echo "wangge backup benchmark — city preset scale $SCALE ($NRES resident ids), $STORE store, $(nproc) cores"
printf '%-36s %s\n' "backup, idle server" "$IDLE s ($((SIZE / 1048576)) MB)"
printf '%-36s %s\n' "backup during the rush" "$LOAD s, $RESULT"
printf '%-36s %s\n' "the copy" "$CHECK"
printf '%-36s %s\n' "check-ins answered in the rush" "$total in ${SECS}s = $(echo "$total / $SECS" | bc) /s ($CONNS connections)"
printf '%-36s %s / %s / max %s\n' "check-in latency p50 / p99" "$(lat 50%)" "$(lat 99%)" "$(awk '/Latency / {print $4}' "$T/w")"
[ -f "$T/wal" ] && printf '%-36s %s MB\n' "largest WAL seen" "$(sort -n "$T/wal" | tail -1 | awk '{print int($1 / 1048576)}')"
exit 0
