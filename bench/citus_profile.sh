#!/bin/sh
# Where a check-in's CPU goes on Citus (issue 20): a rush of check-ins alone (no dashboards),
# each by the resident's grid worker, against the province preset on a coordinator with two
# workers; prints the CPU per check-in of wangge, the coordinator and the workers (each
# node's postmaster and its backends, from /proc), and each node's statements from
# pg_stat_statements (calls, execution time) for the rush.  Prints figures only.
#
# usage: bench/citus_profile.sh [SCALE] [SECONDS] [CONNS]   (defaults 0.001 20 32)
# Environment: CLUSTER=DIR  an existing cluster of ../shared/tools/citus-cluster.sh whose
#              nodes load pg_stat_statements and whose database already holds the preset
#              (kept; without it a cluster is started, the preset built and all removed);
#              PERF=FILE    also `perf record -g` the nodes' backends during the rush.
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
SCALE=${1:-0.001} SECS=${2:-20} CONNS=${3:-32}
command -v wrk >/dev/null || { echo "needs wrk"; exit 1; }
make -s build/wangge >/dev/null
T=$(mktemp -d); chmod 755 "$T"
D=${CLUSTER:-$T/citus}
trap 'kill $SRV 2>/dev/null || true; [ -n "$CLUSTER" ] || ../shared/tools/citus-cluster.sh stop "$D"; rm -rf "$T"' EXIT
as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -z "$CLUSTER" ]; then
  ../shared/tools/citus-cluster.sh start "$D" 2 >/dev/null
  for i in 0 1 2; do # pg_stat_statements on every node
    echo "shared_preload_libraries = 'citus,pg_stat_statements'" >> "$D/node$i/postgresql.conf"
    as /usr/lib/postgresql/15/bin/pg_ctl -D "$D/node$i" -w -l "$D/node$i.log" restart -o "-p $(cat "$D/node$i.port") -k $D \
      -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB" >/dev/null
  done
  psql -qtA -h 127.0.0.1 -p "$(cat "$D/node0.port")" -U wangge -d wangge -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  build/wangge demo --db "postgres://wangge@127.0.0.1:$(cat "$D/node0.port")/wangge" --preset province --scale "$SCALE" | head -1
fi
U=postgres://wangge@127.0.0.1:$(cat "$D/node0.port")/wangge
q() { psql -qtA -d "$U" -c "$1"; }
q "VACUUM ANALYZE"
WP=$(free_port)
build/wangge serve --db "$U" --listen 127.0.0.1:"$WP" --max-per-address 100000 --quiet & SRV=$!
wait_up "$WP" 600
login() { demo_token "$WP" "$1"; }
# every living resident with the first grid worker of their grid (as bench/load.sh AS=grid)
q "select r.id, (select min(w.username) from users w where w.unit_id = g.id and w.role = 'grid_worker' and w.username like 'gw%')
   from residents r join households h on h.id = r.household_id and h.district_id = r.district_id
   join units e on e.id = h.unit_id join units g on g.kind = 'grid' and substr(e.path, 1, length(g.path)) = g.path
   where r.residence = 'living'" | tr '|' ' ' > "$T/pairs"
{ echo "local K = {"
  for u in $(awk '{print $2}' "$T/pairs" | sort -u); do echo "[\"$u\"]=\"$(login "$u")\","; done
  echo "}"; echo "local R = {"; awk '{printf "{%s,\"%s\"},\n", $1, $2}' "$T/pairs"; echo "}"
  cat <<'LUA'
request = function()
  local p = R[math.random(1, #R)]
  return wrk.format("POST", "/api/v1/checkins", {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. K[p[2]]},
    '{"resident_id":' .. p[1] .. ',"temperature":36.' .. math.random(0, 9) .. ',"channel":"phone"}')
end
LUA
} > "$T/checkin.lua"
nodecpu() { pm=$(head -1 "$D/node$1/postmaster.pid"); t=$(awk '{print $14 + $15 + $16 + $17}' /proc/"$pm"/stat)
  for p in $(pgrep -P "$pm"); do v=$(awk '{print $14 + $15}' /proc/"$p"/stat 2>/dev/null || echo 0); t=$((t + v)); done; echo "$t"; }
wrk -t1 -c"$CONNS" -d3s -s "$T/checkin.lua" "http://127.0.0.1:$WP/" >/dev/null # warm-up: plans, connections
for i in 0 1 2; do psql -qtA -h 127.0.0.1 -p "$(cat "$D/node$i.port")" -U wangge -d wangge -c "select pg_stat_statements_reset()" >/dev/null; done
a0=$(awk '{print $14 + $15}' /proc/$SRV/stat); c0=$(nodecpu 0); w0=$(( $(nodecpu 1) + $(nodecpu 2) ))
if [ -n "$PERF" ]; then
  ( sleep 2; pids=$(for i in 0 1 2; do pgrep -P "$(head -1 "$D/node$i/postmaster.pid")"; done | paste -sd,)
    perf record -g -F 999 -p "$pids" -o "$PERF" -- sleep $((SECS - 4)) >/dev/null 2>&1 ) &
fi
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/checkin.lua" "http://127.0.0.1:$WP/" > "$T/w"
a1=$(awk '{print $14 + $15}' /proc/$SRV/stat); c1=$(nodecpu 0); w1=$(( $(nodecpu 1) + $(nodecpu 2) ))
HZ=$(getconf CLK_TCK)
n=$(awk '/requests in/ {print $1}' "$T/w")
ms() { echo "scale=2; $1 * 1000 / $HZ / $n" | bc; }
echo "Citus check-in profile — province preset, $(q "select count(*) from units where kind = 'district'") districts, ${SECS}s, $CONNS connections, check-ins alone, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "check-ins: $n ($(echo "$n / $SECS" | bc)/s), p50 $(awk '$1 == "50%" {print $2}' "$T/w"), non-2xx $(awk '/Non-2xx/ {print $5}' "$T/w")"
echo "CPU per check-in: $(ms $((a1 - a0 + c1 - c0 + w1 - w0))) ms = wangge $(ms $((a1 - a0))) + coordinator $(ms $((c1 - c0))) + workers $(ms $((w1 - w0)))"
for i in 0 1 2; do
  echo "— node$i: calls per check-in, ms per call, statement"
  psql -qtA -F' ' -h 127.0.0.1 -p "$(cat "$D/node$i.port")" -U wangge -d wangge -c "select round(sum(calls)::numeric / $n, 2),
    round((sum(total_exec_time) / sum(calls))::numeric, 2), left(regexp_replace(regexp_replace(regexp_replace(query, '''citus_[0-9_]+''', '''citus_N''', 'g'), '_[0-9]{6}', '_N', 'g'), '\s+', ' ', 'g'), 110) q
    from pg_stat_statements where query not like '%pg_stat_statements%' group by q order by sum(total_exec_time) desc limit 12"
done
