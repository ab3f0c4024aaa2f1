#!/bin/sh
# The morning-rush benchmark: authenticated check-in POSTs from many connections while
# dashboard clients poll coverage at city, street and grid level and a grid's missing
# list (twice: refreshing at a city's pace, then polling as fast as they can) — against
# wangge and, in the same run with the same load generator (wrk) and connections, nginx
# answering an empty `return 204`, so the ratio is honest on a noisy machine.  Prints
# figures only; bounded in time; 127.0.0.1 only.
#
# usage: bench/load.sh [SCALE] [SECONDS] [CONNECTIONS] [STORE]
#   SCALE        city preset scale (1.0 = 13,822 grids, 10 million residents; default 0.1)
#   SECONDS      length of each run (default 20)
#   CONNECTIONS  check-in connections (default 64)
#   STORE        sqlite (default) or postgresql: a throwaway cluster (scripts/pg.sh) in a
#                temporary folder, the preset built into it for this run; or citus: a
#                throwaway Citus coordinator with two workers (../shared/tools/citus-cluster.sh),
#                the preset built into it for this run
# Environment:
#   PRESET=city|province   the demo preset (default city); DISTRICTS=N: the province's
#                          districts a city (--districts; default all)
#   AS=admin|grid          who checks in: the admin, for any resident (default), or each
#                          resident's grid worker, as in the field — on Citus the admin's
#                          check-in must first find the resident's district on every shard,
#                          a grid worker's is routed to one
#   HISTORY=N              (SQLite) the store as a city has it on day N+1: N days of check-ins
#                          before today (one a living resident a day, 5 % re-checked;
#                          bench/grow_checkins.py, ~10 s a day at scale 0.1) — the preset alone
#                          has none, and a rush's working set grows with them
# The built SQLite store is kept in bench/out/PRESET-SCALE[-dN][-hN].db between runs (not committed).
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
SCALE=${1:-0.1} SECS=${2:-20} CONNS=${3:-64} STORE=${4:-sqlite}
PRESET=${PRESET:-city} AS=${AS:-admin}
DEMO="--preset $PRESET --scale $SCALE${DISTRICTS:+ --districts $DISTRICTS}"
command -v wrk >/dev/null || { echo "bench/load.sh needs wrk (apt-get install wrk)"; exit 1; }
command -v nginx >/dev/null || { echo "bench/load.sh needs nginx (apt-get install nginx-light)"; exit 1; }
make -s build/wangge >/dev/null
mkdir -p bench/out
DB=bench/out/$PRESET-$SCALE${DISTRICTS:+-d$DISTRICTS}.db
if [ "$STORE" = sqlite ] && [ ! -f "$DB" ]; then
  echo "building the $PRESET preset at scale $SCALE (once) …"
  # (not piped: a demo that fails must stop here, not leave a part-built store behind)
  rm -f "$DB.tmp" "$DB.tmp-wal" "$DB.tmp-shm"
  # shellcheck disable=SC2086
  build/wangge demo --db "$DB.tmp" $DEMO > "$DB.log"
  head -1 "$DB.log"
  mv "$DB.tmp" "$DB"; rm -f "$DB.tmp-wal" "$DB.tmp-shm" "$DB.log"
fi
HISTORY=${HISTORY:-0}
if [ "$HISTORY" -gt 0 ]; then
  [ "$STORE" = sqlite ] || { echo "bench/load.sh: HISTORY is for the SQLite store"; exit 1; }
  HDB=${DB%.db}-h$HISTORY.db
  if [ ! -f "$HDB" ]; then
    echo "writing $HISTORY days of check-ins into a copy of the preset (once) …"
    rm -f "$HDB.tmp" "$HDB.tmp-wal" "$HDB.tmp-shm"
    cp "$DB" "$HDB.tmp"
    i=$HISTORY
    while [ "$i" -ge 1 ]; do # the days before today in China time, as the server counts days
      python3 bench/grow_checkins.py "$HDB.tmp" 0.05 "$(date -u -d "@$(( $(date +%s) + 8 * 3600 - i * 86400 ))" +%F)" > /dev/null
      i=$((i - 1))
    done
    mv "$HDB.tmp" "$HDB"; rm -f "$HDB.tmp-wal" "$HDB.tmp-shm"
  fi
  DB=$HDB
fi
T=$(mktemp -d)
# (set -e holds in the trap too: a server already stopped must not keep the folder)
trap 'kill $NGX_PID $SRV_PID $SAMPLER 2>/dev/null || true; if [ -d "$T/pg" ]; then scripts/pg.sh stop "$T/pg"; fi
  if [ -d "$T/citus" ]; then ../shared/tools/citus-cluster.sh stop "$T/citus"; fi; rm -rf "$T"' EXIT
PGURL=""
if [ "$STORE" = postgresql ] || [ "$STORE" = citus ]; then
  chmod 755 "$T" # the cluster runs as the postgres user when this runs as root
  if [ "$STORE" = citus ]; then
    ../shared/tools/citus-install.sh --check >/dev/null || { echo "Citus is not installed (../shared/tools/citus-install.sh)"; exit 1; }
    PGURL=$(../shared/tools/citus-cluster.sh start "$T/citus" 2)
  else
    PGURL=$(scripts/pg.sh start "$T/pg")
  fi
  RUNDB=$PGURL
  s=$(date +%s)
  # shellcheck disable=SC2086
  out=$(build/wangge demo --db "$RUNDB" $DEMO) # (fails here if the demo fails)
  echo "$out" | head -1
  echo "(the preset built on $STORE in $(( $(date +%s) - s )) s)"
  q() { psql -qtA -d "$RUNDB" -c "$1"; }
  # a store just bulk-loaded is vacuumed by autovacuum for minutes: do it now, so the
  # rush measures the steady state and not the first vacuum of a million rows
  s=$(date +%s); q "VACUUM ANALYZE"; echo "(VACUUM ANALYZE in $(( $(date +%s) - s )) s)"
else
  cp "$DB" "$T/run.db"
  # written out before the server starts: the copy's ~300 MB of dirty pages would
  # otherwise be flushed in its first 30 s and its commits' fsyncs queue behind them
  sync "$T/run.db"
  # and read in: with history at ten million (13 GB) the original and the copy do not both
  # fit the kernel's cache, and the first minute's reads went to the disk (check-in p99
  # 190–410 ms paced, 21–26 ms flat out after it).  The original's pages are dropped (its
  # own, nobody else's) and the copy's read, so the rush measures the steady state.
  drop_cache "$DB"
  cat "$T/run.db" > /dev/null
  RUNDB=$T/run.db
  q() { sqlite3 "$RUNDB" "$1"; }
fi

# --- nginx baseline
NP=$(free_port)
cat > "$T/nginx.conf" <<NGX
worker_processes 1; daemon off; error_log $T/ngx-error.log; pid $T/nginx.pid;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $T; server { listen 127.0.0.1:$NP; location / { return 204; } } }
NGX
nginx -c "$T/nginx.conf" -p "$T" & NGX_PID=$!
sleep 0.5
cat > "$T/post.lua" <<'LUA'
request = function()
  return wrk.format("POST", "/api/v1/checkins", {["Content-Type"]="application/json"},
    '{"resident_id":' .. math.random(1, 1000000) .. ',"temperature":36.5,"channel":"phone"}')
end
LUA
NGX_RPS=$(wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$T/post.lua" "http://127.0.0.1:$NP/" | awk '/Requests\/sec/ {print $2}')
kill $NGX_PID; wait $NGX_PID 2>/dev/null || true

# --- wangge
WP=$(free_port)
# (one load generator stands for thousands of phones: no per-address cap)
build/wangge serve --db "$RUNDB" --listen 127.0.0.1:$WP --max-per-address 100000 --quiet & SRV_PID=$!
# (a store built by an older wangge is migrated first: seconds for a million residents)
wait_up "$WP"
( while kill -0 $SRV_PID 2>/dev/null; do
    awk '/RssAnon/ {print $2 >> "'"$T/anon"'"} /RssFile/ {print $2 >> "'"$T/file"'"}' /proc/$SRV_PID/status 2>/dev/null
    sleep 0.5
  done ) & SAMPLER=$!
TOKEN=$(demo_token "$WP")
NRES=$(q "select max(id) from residents")
TOP=$(q "select code from units where parent_id is null order by id limit 1")
NDIST=$(q "select count(*) from units where kind='district'")
STREET=$(q "select code from units where kind='street' order by id limit 1")
GRID=$(q "select code from units where kind='grid' order by id limit 1")
if [ "$AS" = grid ]; then
  # every living resident with the first grid worker of their grid (the demo's gw-… account)
  q "select r.id, (select min(w.username) from users w where w.unit_id = g.id and w.role = 'grid_worker' and w.username like 'gw%')
     from residents r join households h on h.id = r.household_id and h.district_id = r.district_id
     join units e on e.id = h.unit_id join units g on g.kind = 'grid' and substr(e.path, 1, length(g.path)) = g.path
     where r.residence = 'living'" | tr '|' ' ' > "$T/pairs"
  awk '{print $2}' "$T/pairs" | sort -u > "$T/workers"
  { echo "local K = {"
    while read -r u; do
      t=$(demo_token "$WP" "$u")
      echo "[\"$u\"]=\"$t\","
    done < "$T/workers"
    echo "}"
    echo "local R = {"; awk '{printf "{%s,\"%s\"},\n", $1, $2}' "$T/pairs"; echo "}"
  } > "$T/tokens.lua"
  cat "$T/tokens.lua" - > "$T/checkin.lua" <<'LUA'
request = function()
  local p = R[math.random(1, #R)]
  return wrk.format("POST", "/api/v1/checkins", {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. K[p[2]]},
    '{"resident_id":' .. p[1] .. ',"temperature":36.' .. math.random(0, 9) .. ',"channel":"phone"}')
end
LUA
else
  checkin_lua "$T/checkin.lua" "$TOKEN" "$NRES"
fi
if [ -n "$PGURL" ]; then
  # The preset was analysed with no check-ins yet: until autovacuum analyses the growing
  # table (about a minute in) the planner's generic plans scan it.  A city's store has
  # yesterday's check-ins; so a few seconds of check-ins, then ANALYZE, then the measure.
  wrk -t1 -c"$CONNS" -d5s -s "$T/checkin.lua" "http://127.0.0.1:$WP/" >/dev/null
  q "ANALYZE"
fi
cpu() { awk '{print $14 + $15}' /proc/$SRV_PID/stat; }
# PostgreSQL's own processes (the cluster in $T/pg) do part of the work on that store
# (on Citus: the coordinator's and both workers')
pgcpu() { t=0; [ -n "$PGURL" ] || { echo 0; return; }
  for f in "$T"/pg/data/postmaster.pid "$T"/citus/node*/postmaster.pid; do
    [ -f "$f" ] || continue; pm=$(head -1 "$f")
    for p in $pm $(pgrep -P "$pm"); do
      v=$(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0); t=$((t + v)); done; done; echo $t; }
if [ "$STORE" = citus ]; then # the coordinator's and the workers' databases
  SIZE0=$(q "select pg_database_size(current_database()) + (select sum(result::bigint) from run_command_on_workers('select pg_database_size(current_database())'))")
elif [ -n "$PGURL" ]; then SIZE0=$(q "select pg_database_size(current_database())"); fi
H="Authorization: Bearer $TOKEN"
HZ=$(getconf CLK_TCK)
# Two rushes, one after the other on the same server: first with the dashboards refreshing
# at a city's pace — about 300 coverage reads a second (a command screen or a worker's
# app refreshing every 30 s, 9,000 of them) and 10 missing lists a second — then with the
# same dashboard connections polling as fast as they can, the worst case.  (The second
# rush finds a few per cent of its residents already checked in: those are corrections.)
printf 'function delay() return 10 end\n' > "$T/paced10.lua"
printf 'function delay() return 100 end\n' > "$T/paced100.lua"
rush() { # MODE: paced | closed
  if [ "$1" = paced ]; then c=1; s10="-s $T/paced10.lua"; s100="-s $T/paced100.lua"; else c=2; s10=""; s100=""; fi
  P0=$(pgcpu); C0=$(cpu)
  # shellcheck disable=SC2086
  wrk -t1 -c$c -d"${SECS}s" --latency $s10 -H "$H" "http://127.0.0.1:$WP/api/v1/coverage?unit=$TOP" > "$T/$1-city" & R1=$!
  # shellcheck disable=SC2086
  wrk -t1 -c$c -d"${SECS}s" --latency $s10 -H "$H" "http://127.0.0.1:$WP/api/v1/coverage?unit=$STREET" > "$T/$1-street" & R2=$!
  # shellcheck disable=SC2086
  wrk -t1 -c$c -d"${SECS}s" --latency $s10 -H "$H" "http://127.0.0.1:$WP/api/v1/coverage?unit=$GRID" > "$T/$1-grid" & R3=$!
  # shellcheck disable=SC2086
  wrk -t1 -c1 -d"${SECS}s" --latency $s100 -H "$H" "http://127.0.0.1:$WP/api/v1/coverage/missing?unit=$GRID&limit=50" > "$T/$1-missing" & R4=$!
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/checkin.lua" "http://127.0.0.1:$WP/" > "$T/$1-w"
  wait $R1 $R2 $R3 $R4 || true
  sleep 0.5
  C1=$(cpu); P1=$(pgcpu)
  echo "$(echo "scale=2; ($C1 - $C0) / $HZ / $SECS" | bc) $(echo "scale=2; ($P1 - $P0) / $HZ / $SECS" | bc)" > "$T/$1-cpu"
}
rush paced
rush closed
RSS=$(awk '/VmHWM/ {print $2}' /proc/$SRV_PID/status)
kill $SAMPLER 2>/dev/null || true; wait $SAMPLER 2>/dev/null || true
kill $SRV_PID; wait $SRV_PID 2>/dev/null || true

lat() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
if [ -n "$PGURL" ]; then SIZE=$SIZE0; else SIZE=$(stat -L -c %s "$DB"); fi
echo
echo "wangge load benchmark — $PRESET preset scale $SCALE${DISTRICTS:+ (--districts $DISTRICTS)}$([ "$HISTORY" -gt 0 ] && echo " with $HISTORY days of check-ins before today") ($NRES resident ids, $NDIST districts), $STORE store, ${SECS}s, $CONNS check-in connections, check-ins as $AS, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %s\n' "nginx return 204 (same wrk, conns)" "$NGX_RPS req/s"
for m in paced closed; do
  echo
  if [ $m = paced ]; then echo "— dashboards refreshing at a city's pace (~300 coverage reads/s, 10 missing lists/s)"
  else echo "— dashboards polling as fast as they can (7 connections)"; fi
  total=$(awk '/requests in/ {print $1}' "$T/$m-w")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$T/$m-w"); non2xx=${non2xx:-0}
  ok=$((total - non2xx))
  printf '%-34s %s\n' "check-ins acknowledged" "$ok in ${SECS}s = $(echo "$ok / $SECS" | bc) /s ($non2xx refused: residents not living there, or errors)"
  printf '%-34s %s\n' "ratio to nginx" "$(echo "scale=3; $ok / $SECS / $NGX_RPS" | bc)"
  printf '%-34s %s / %s\n' "check-in latency p50 / p99" "$(lat "$T/$m-w" 50%)" "$(lat "$T/$m-w" 99%)"
  for r in city street grid missing; do # (city: the top unit, 湖北省 42 in the province)
    printf '%-34s %s / %s  (%s req/s)\n' "read: $r p50 / p99" "$(lat "$T/$m-$r" 50%)" "$(lat "$T/$m-$r" 99%)" "$(awk '/Requests\/sec/ {print $2}' "$T/$m-$r")"
  done
  read -r wcpu pcpu < "$T/$m-cpu"
  printf '%-34s %s\n' "server CPU" "$wcpu cores on average"
  [ -n "$PGURL" ] && printf '%-34s %s\n' "PostgreSQL's CPU (its processes)" "$pcpu cores on average"
done
echo
printf '%-34s %s\n' "server peak RSS" "$((RSS / 1024)) MB"
# RSS counts the store's pages the writer reads through its memory map (file pages the
# kernel shares and can drop at will) besides the server's own memory: both, at their peaks
printf '%-34s %s\n' "  of which, at peak: own memory" "$(sort -n "$T/anon" | tail -1 | awk '{print int($1 / 1024)}') MB (RssAnon)"
printf '%-34s %s\n' "  mapped pages of the store" "$(sort -n "$T/file" | tail -1 | awk '{print int($1 / 1024)}') MB (RssFile)"
printf '%-34s %s\n' "store size per million residents" "$(echo "scale=0; $SIZE / 1048576 * 1000000 / $NRES" | bc) MB"
