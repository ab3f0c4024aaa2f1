#!/bin/sh
# The four categories at city scale: builds the city preset (scale 0.1 = 1 M residents by
# default), puts one person in PER_MILLE thousand in a category (a quarter each of confirmed,
# suspected, close contact, travel observation; a third of them isolated at home with their
# follow-up slots), serves it, and times GET /categories at city, district and street level
# and a page of /categories/people.  Prints figures only.
# usage: bench/categories.sh [SCALE] [PER_MILLE]   (defaults 0.1 and 10)
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
make -s build/wangge >/dev/null
SCALE=${1:-0.1}
PM=${2:-10}
T=$(mktemp -d)
PORT=$(free_port)
trap 'kill $PID 2>/dev/null || true; rm -rf "$T"' EXIT
out=$(build/wangge demo --db "$T/c.db" --preset city --scale "$SCALE" --seed 1) # (fails here if the demo fails)
echo "$out" | head -1
sqlite3 "$T/c.db" <<SQL
INSERT INTO epi_status(resident_id, category, since, since_day)
  SELECT id, CASE id % 4 WHEN 0 THEN 'close_contact' WHEN 1 THEN 'travel_observation' WHEN 2 THEN 'confirmed' ELSE 'suspected' END,
         strftime('%s','now'), date('now', '+8 hours')
  FROM residents WHERE abs(random()) % 1000 < $PM;
INSERT INTO isolations(resident_id, household_id, kind, category, start_day, end_day, state, created_at, updated_at)
  SELECT s.resident_id, r.household_id, 'home', s.category, date('now', '+8 hours'), date('now', '+8 hours', '+13 days'),
         'active', 0, 0
  FROM epi_status s JOIN residents r ON r.id = s.resident_id WHERE s.resident_id % 3 = 0;
INSERT INTO followups(isolation_id, day, slot, due_at)
  SELECT i.id, date('now', '+8 hours', '+' || d.n || ' days'), k.s, strftime('%s','now') + d.n * 86400 + k.s * 3600 - 7200
  FROM isolations i, (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL
                      SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL
                      SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13) d, (SELECT 1 AS s UNION ALL SELECT 2) k;
ANALYZE;
SQL
echo "residents in a category: $(sqlite3 "$T/c.db" 'SELECT count(*) FROM epi_status'),"\
" isolated: $(sqlite3 "$T/c.db" 'SELECT count(*) FROM isolations'), follow-up slots: $(sqlite3 "$T/c.db" 'SELECT count(*) FROM followups')"
build/wangge serve --db "$T/c.db" --listen 127.0.0.1:$PORT --quiet &
PID=$!
wait_up "$PORT"
TOK=$(demo_token "$PORT")
DIST=$(sqlite3 "$T/c.db" "SELECT code FROM units WHERE kind = 'district' ORDER BY id LIMIT 1")
STREET=$(sqlite3 "$T/c.db" "SELECT code FROM units WHERE kind = 'street' ORDER BY id LIMIT 1")
for q in "categories" "categories?unit=$DIST" "categories?unit=$STREET" "categories/people?unit=$DIST&category=four"; do
  for i in 1 2 3 4 5 6 7 8 9 10; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PORT/api/v1/$q"
  done | sort -n | awk -v q="$q" '{t[NR]=$1} END {printf "GET /%s: median %.0f ms, max %.0f ms (10 runs)\n", q, t[5]*1000, t[10]*1000}'
done
