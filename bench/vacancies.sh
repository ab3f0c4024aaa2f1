#!/bin/sh
# Vacancies at city level (issue 19): builds the city preset (scale 1.0 = Wuhan's 13,822
# grids and 10 million residents by default; the vacancies depend on the grids and staff,
# not on the residents), serves it, and times GET /vacancies at city, district and street
# level, ten runs each.  Prints figures only: the build time, staff and pairs, the
# vacancies found, and the median and worst answer times.
# usage: bench/vacancies.sh [SCALE] [sqlite|postgresql URL]   (defaults 1.0, sqlite)
# A DB file that exists already is served as it is (no build): the same store for a
# before/after pair; WANGGE_BIN names another binary (e.g. the build before a change).
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
make -s build/wangge >/dev/null
BIN=${WANGGE_BIN:-build/wangge}
SCALE=${1:-1.0}
T=$(mktemp -d)
PORT=$(free_port)
trap 'kill $PID 2>/dev/null || true; rm -rf "$T"' EXIT
DB=${2:-$T/c.db}
if [ -f "$DB" ]; then
  echo "serving the existing $DB with $BIN"
else
  t0=$(date +%s)
  out=$("$BIN" demo --db "$DB" --preset city --scale "$SCALE" --seed 1)
  echo "$out" | head -1
  echo "demo build: $(( $(date +%s) - t0 )) s"
fi
"$BIN" serve --db "$DB" --listen 127.0.0.1:$PORT --quiet &
PID=$!
wait_up "$PORT"
TOK=$(demo_token "$PORT")
get() { curl -s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PORT/api/v1/$1"; }
get "vacancies?limit=1" | python3 -c 'import sys,json; d=json.load(sys.stdin); s=d["staff"]
print("grids %d, staff %s, pairs %d; vacancies %d: %s" % (s["grids"], s["by_kind"], s["pairs"], d["total"],
      {k: n for k, n in d["counts"].items() if n}))'
DIST=$(get "units/4201/children" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["code"])')
STREET=$(get "units/$DIST/children" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["code"])')
for q in "vacancies" "vacancies?limit=1" "vacancies?unit=$DIST" "vacancies?unit=$STREET"; do
  for i in 1 2 3 4 5 6 7 8 9 10; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PORT/api/v1/$q"
  done | sort -n | awk -v q="$q" '{t[NR]=$1} END {printf "GET /%s: median %.0f ms, max %.0f ms (10 runs)\n", q, t[5]*1000, t[10]*1000}'
done
