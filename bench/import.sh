#!/bin/sh
# Times the demo presets and a resident import on this machine; prints figures only.
# usage: bench/import.sh [ROWS] [sqlite|postgresql]   (default 10000 sqlite)
#   postgresql: a throwaway cluster (scripts/pg.sh); the qinghe demo is loaded into it and
#   the sheet imported there (the demo presets' build time is not timed then).
#   WANGGE=path runs another build of wangge (the figures of an older one, say); KEEP=dir
#   keeps the two reports.
set -e
cd "$(dirname "$0")/.."
ROWS=${1:-10000} STORE=${2:-sqlite}
BIN=${WANGGE:-build/wangge}
[ -n "$WANGGE" ] || make -s build/wangge >/dev/null
T=$(mktemp -d)
PGURL=""
trap 'if [ -n "$PGURL" ]; then scripts/pg.sh stop "$T/pg"; fi; rm -rf "$T"' EXIT
if [ "$STORE" = postgresql ]; then
  chmod 755 "$T"
  PGURL=$(scripts/pg.sh start "$T/pg")
  DB=$PGURL
  s=$(date +%s.%N); out=$($BIN demo --db "$DB" --preset qinghe --seed 1); e=$(date +%s.%N)
  echo "$out" | head -1
  echo "demo qinghe on PostgreSQL: $(echo "$e - $s" | bc) s wall"
else
  for p in qinghe liyuan; do
    s=$(date +%s.%N); out=$($BIN demo --db "$T/$p.db" --preset $p --seed 1); e=$(date +%s.%N)
    echo "$out" | head -1
    echo "demo $p: $(echo "$e - $s" | bc) s wall"
  done
  DB=$T/qinghe.db
fi
python3 bench/gen_residents.py "$ROWS" 420107003008 19 "$T/res.csv" 5
echo "load average before the import: $(cut -d' ' -f1-3 /proc/loadavg)"
s=$(date +%s.%N); $BIN import residents --db "$DB" "$T/res.csv" > "$T/out.txt" || true; e=$(date +%s.%N)
tail -2 "$T/out.txt"
echo "import $ROWS rows ($STORE): $(echo "$e - $s" | bc) s wall, $(grep -c '^line' "$T/out.txt") rows refused with line numbers"
echo "load average after it: $(cut -d' ' -f1-3 /proc/loadavg)"
s=$(date +%s.%N); $BIN import residents --db "$DB" "$T/res.csv" > "$T/out2.txt" || true; e=$(date +%s.%N)
echo "re-import (no duplicates): $(tail -2 "$T/out2.txt" | head -1), $(echo "$e - $s" | bc) s wall"
# KEEP=dir keeps both reports (to compare two builds' refused rows line by line)
if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; cp "$T/out.txt" "$T/out2.txt" "$KEEP/"; fi
