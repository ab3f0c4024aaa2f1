#!/bin/sh
# The gates at shift change: builds the qianjinxiang demo (11 compounds, 8 open
# checkpoints) into a temporary store — or uses DB when given — serves it, and prints
#  1. check-ins alone (POST /checkins, the same wrk and connections) for comparison,
#  2. passages alone: POST /passages of random residents at the 8 open gates, in and out,
#     each with its own client_id, from CONNECTIONS connections for SECONDS,
#  3. the checkpoint view's "now" read (GET /gates/{id}/now) from 2 connections, alone and
#     again while the passages rush: its p50 / p99.
# Figures only; the store keeps what was written.  127.0.0.1 only.
#
# usage: bench/gates.sh [SECONDS] [CONNECTIONS] [DB]
set -e
cd "$(dirname "$0")/.."
SECS=${1:-10} CONNS=${2:-32} DB=$3
command -v wrk >/dev/null || { echo "bench/gates.sh needs wrk (apt-get install wrk)"; exit 1; }
make -s build/wangge >/dev/null
T=$(mktemp -d)
trap 'kill $SRV_PID 2>/dev/null || true; rm -rf "$T"' EXIT
if [ -z "$DB" ]; then
  DB=$T/qjx.db
  build/wangge demo --db "$DB" --preset qianjinxiang >/dev/null
fi
WP=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
build/wangge serve --db "$DB" --listen 127.0.0.1:$WP --quiet & SRV_PID=$!
for i in $(seq 1200); do curl -sf "http://127.0.0.1:$WP/api/v1/health" >/dev/null && break; sleep 0.1; done
token() {
  curl -s -XPOST "http://127.0.0.1:$WP/api/v1/session" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"wangge-demo-2026\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])'
}
KK=$(token kk01)
SEC=$(token secretary)
NRES=$(sqlite3 "$DB" "select max(id) from residents")
GATES=$(sqlite3 "$DB" "select group_concat(id, ',') from gates where state = 'open'")
GATE1=$(echo "$GATES" | cut -d, -f1)
cat > "$T/checkin.lua" <<LUA
request = function()
  return wrk.format("POST", "/api/v1/checkins", {["Content-Type"]="application/json", ["Authorization"]="Bearer $SEC"},
    '{"resident_id":' .. math.random(1, $NRES) .. ',"temperature":36.' .. math.random(0, 9) .. ',"channel":"phone"}')
end
LUA
cat > "$T/passage.lua" <<LUA
local gates = {$GATES}
local n = 0
local run = tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000000))
request = function()
  n = n + 1
  local dir = (math.random(0, 1) == 0) and "out" or "in"
  return wrk.format("POST", "/api/v1/passages", {["Content-Type"]="application/json", ["Authorization"]="Bearer $KK"},
    '{"gate_id":' .. gates[math.random(1, #gates)] .. ',"direction":"' .. dir .. '","resident_id":' ..
    math.random(1, $NRES) .. ',"temperature":36.' .. math.random(0, 9) ..
    ',"purpose":"medical","client_id":"bench-' .. run .. '-' .. n .. '"}')
end
LUA
cat > "$T/now.lua" <<LUA
request = function()
  return wrk.format("GET", "/api/v1/gates/$GATE1/now", {["Authorization"]="Bearer $KK"})
end
LUA
fig() { # file: rate p50 p99 non-2xx
  printf '%s /s, p50 %s, p99 %s, non-2xx %s' "$(awk '/Requests\/sec/ {print $2}' "$1")" \
    "$(awk '/ 50%/ {print $2}' "$1")" "$(awk '/ 99%/ {print $2}' "$1")" "$(awk '/Non-2xx/ {n=$NF} END {print n+0}' "$1")"
}
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/checkin.lua" "http://127.0.0.1:$WP/" > "$T/c"
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/passage.lua" "http://127.0.0.1:$WP/" > "$T/p"
wrk -t1 -c2 -d"${SECS}s" --latency -s "$T/now.lua" "http://127.0.0.1:$WP/" > "$T/n0"
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$T/passage.lua" "http://127.0.0.1:$WP/" > "$T/p2" &
W=$!
wrk -t1 -c2 -d"${SECS}s" --latency -s "$T/now.lua" "http://127.0.0.1:$WP/" > "$T/n1"
wait $W
printf '%-34s %s\n' "store" "$DB ($(sqlite3 "$DB" "select count(*) from residents") residents, $(echo "$GATES" | tr ',' '\n' | wc -l) open gates)"
printf '%-34s %s\n' "check-ins ($CONNS conns)" "$(fig "$T/c")"
printf '%-34s %s\n' "passages ($CONNS conns)" "$(fig "$T/p")"
printf '%-34s %s\n' "gate now, alone (2 conns)" "$(fig "$T/n0")"
printf '%-34s %s\n' "gate now, during passages" "$(fig "$T/n1")"
printf '%-34s %s\n' "passages meanwhile" "$(fig "$T/p2")"
printf '%-34s %s\n' "passages stored" "$(sqlite3 "$DB" "select count(*) from passages")"
