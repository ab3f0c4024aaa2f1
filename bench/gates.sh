#!/bin/sh
# The gates at shift change: builds the qianjinxiang demo (11 compounds, 8 open
# checkpoints) into a temporary store — or uses DB when given — serves it, and prints
#  1. check-ins alone (POST /checkins, the same wrk and connections) for comparison,
#  2. passages alone: POST /passages of random residents at the open gates, in and out,
#     each with its own client_id, from CONNECTIONS connections for SECONDS,
#  3. the checkpoint view's "now" read (GET /gates/{id}/now) from 2 connections, alone and
#     again while the passages rush: its p50 / p99.
# Both draw from the residents living there (a registered-only resident is refused a
# check-in, 400 resident_not_living: 155 of qianjinxiang's 6,655 were the run's non-2xx).
#
# With DB = city[-SCALE] (default scale 0.1): the city preset, built once into
# bench/out/city-SCALE.db as bench/load.sh does, copied to a temporary store and given
# gates by bench/gates_city.py (two a grid, one open; passes for every household, two
# staff passes a grid, 30 days of counters and log, 2 % of the residents outside); the
# passages go to each resident's own grid's gate, the "now" reads to random open gates of
# the whole city (GET /gates/{id}/now, and the dashboard tile's GET /compounds/{code}/now
# ?people=0 of random grids).
# Figures only; the store keeps what was written.  127.0.0.1 only.
#
# usage: bench/gates.sh [SECONDS] [CONNECTIONS] [DB | city[-SCALE]]
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
SECS=${1:-10} CONNS=${2:-32} DB=$3
command -v wrk >/dev/null || { echo "bench/gates.sh needs wrk (apt-get install wrk)"; exit 1; }
make -s build/wangge >/dev/null
T=$(mktemp -d)
trap 'kill $SRV_PID 2>/dev/null || true; rm -rf "$T"' EXIT
CITY=""
case "$DB" in
  city|city-*)
    SCALE=${DB#city}; SCALE=${SCALE#-}; SCALE=${SCALE:-0.1}
    CITY=bench/out/city-$SCALE.db
    mkdir -p bench/out
    if [ ! -f "$CITY" ]; then
      echo "building the city preset at scale $SCALE (once) …"
      rm -f "$CITY.tmp"
      build/wangge demo --db "$CITY.tmp" --preset city --scale "$SCALE" | head -1
      mv "$CITY.tmp" "$CITY"
    fi
    DB=$T/city.db
    cp "$CITY" "$DB"
    build/wangge user add --db "$DB" --username kkcity --password wangge-demo-2026 --role checkpoint \
      --unit "$(sqlite3 "$DB" "select code from units where kind = 'city'")" >/dev/null
    python3 bench/gates_city.py "$DB"
    ;;
  "")
    DB=$T/qjx.db
    build/wangge demo --db "$DB" --preset qianjinxiang >/dev/null
    ;;
esac
WP=$(free_port)
build/wangge serve --db "$DB" --listen 127.0.0.1:$WP --quiet & SRV_PID=$!
wait_up "$WP"
if [ -n "$CITY" ]; then
  KK=$(demo_token "$WP" kkcity)
  CHK=$(demo_token "$WP" admin)
  PAIRS=$(cat "$DB.pairs")
  GATES=$(sed -n 1p "$DB.gates")
  CODES=$(sed -n 2p "$DB.gates")
else
  KK=$(demo_token "$WP" kk01)
  CHK=$(demo_token "$WP" secretary)
  GATES=$(sqlite3 "$DB" "select group_concat(id, ',') from gates where state = 'open'")
  # each living resident with a random open gate (a checkpoint serves the compound or not:
  # the rules decide, and a refusal is a passage too)
  PAIRS=$(sqlite3 "$DB" "with g as (select id, row_number() over (order by id) - 1 as k, count(*) over () as n from gates where state = 'open')
                         select group_concat('{' || g.id || ',' || r.id || '}', ',') from residents r join g on g.k = abs(random()) % g.n
                         where r.residence = 'living' and r.moved_out_at is null")
  CODES=$(sqlite3 "$DB" "select group_concat('\"' || u.code || '\"', ',') from units u where u.id in (select unit_id from gates where state = 'open')")
fi
NRES=$(sqlite3 "$DB" "select count(*) from residents where residence = 'living' and moved_out_at is null")
cat > "$T/checkin.lua" <<LUA
local pairs_ = {$PAIRS}
request = function()
  local p = pairs_[math.random(1, #pairs_)]
  return wrk.format("POST", "/api/v1/checkins", {["Content-Type"]="application/json", ["Authorization"]="Bearer $CHK"},
    '{"resident_id":' .. p[2] .. ',"temperature":36.' .. math.random(0, 9) .. ',"channel":"phone"}')
end
LUA
cat > "$T/passage.lua" <<LUA
local pairs_ = {$PAIRS}
local n = 0
local run = tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  local p = pairs_[math.random(1, #pairs_)]
  local dir = (math.random(0, 1) == 0) and "out" or "in"
  return wrk.format("POST", "/api/v1/passages", {["Content-Type"]="application/json", ["Authorization"]="Bearer $KK"},
    '{"gate_id":' .. p[1] .. ',"direction":"' .. dir .. '","resident_id":' .. p[2] ..
    ',"temperature":36.' .. math.random(0, 9) .. ',"purpose":"medical","client_id":"bench-' .. run .. '-' .. n .. '"}')
end
LUA
cat > "$T/now.lua" <<LUA
local gates = {$GATES}
request = function()
  return wrk.format("GET", "/api/v1/gates/" .. gates[math.random(1, #gates)] .. "/now", {["Authorization"]="Bearer $KK"})
end
LUA
cat > "$T/tile.lua" <<LUA
local codes = {$CODES}
request = function()
  return wrk.format("GET", "/api/v1/compounds/" .. codes[math.random(1, #codes)] .. "/now?people=0", {["Authorization"]="Bearer $KK"})
end
LUA
fig() { # file: rate p50 p99 non-2xx
  printf '%s /s, p50 %s, p99 %s, non-2xx %s' "$(awk '/Requests\/sec/ {print $2}' "$1")" \
    "$(awk '/ 50%/ {print $2}' "$1")" "$(awk '/ 99%/ {print $2}' "$1")" "$(awk '/Non-2xx/ {n=$NF} END {print n+0}' "$1")"
}
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/checkin.lua" "http://127.0.0.1:$WP/" > "$T/c"
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/passage.lua" "http://127.0.0.1:$WP/" > "$T/p"
wrk -t1 -c2 -d"${SECS}s" --latency -s "$T/now.lua" "http://127.0.0.1:$WP/" > "$T/n0"
wrk -t1 -c2 -d"${SECS}s" --latency -s "$T/tile.lua" "http://127.0.0.1:$WP/" > "$T/t0"
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/passage.lua" "http://127.0.0.1:$WP/" > "$T/p2" &
W=$!
wrk -t1 -c2 -d"${SECS}s" --latency -s "$T/now.lua" "http://127.0.0.1:$WP/" > "$T/n1"
wait $W
printf '%-34s %s\n' "store" "$DB ($NRES residents living there, $(echo "$GATES" | tr ',' '\n' | wc -l) open gates, $(sqlite3 "$DB" "select count(*) from gates") gates)"
printf '%-34s %s\n' "check-ins ($CONNS conns)" "$(fig "$T/c")"
printf '%-34s %s\n' "passages ($CONNS conns)" "$(fig "$T/p")"
printf '%-34s %s\n' "gate now, alone (2 conns)" "$(fig "$T/n0")"
printf '%-34s %s\n' "compound now (tile), alone" "$(fig "$T/t0")"
printf '%-34s %s\n' "gate now, during passages" "$(fig "$T/n1")"
printf '%-34s %s\n' "passages meanwhile" "$(fig "$T/p2")"
printf '%-34s %s\n' "passages stored" "$(sqlite3 "$DB" "select count(*) from passages")"
