#!/bin/sh
# Times the demo presets and a resident import on this machine; prints figures only.
# usage: bench/import.sh [ROWS]   (default 10000)
set -e
cd "$(dirname "$0")/.."
make -s build/wangge >/dev/null
ROWS=${1:-10000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for p in qinghe liyuan; do
  s=$(date +%s.%N); out=$(build/wangge demo --db "$T/$p.db" --preset $p --seed 1); e=$(date +%s.%N)
  echo "$out" | head -1
  echo "demo $p: $(echo "$e - $s" | bc) s wall"
done
python3 bench/gen_residents.py "$ROWS" 420107003008 19 "$T/res.csv" 5
s=$(date +%s.%N); build/wangge import residents --db "$T/qinghe.db" "$T/res.csv" > "$T/out.txt" || true; e=$(date +%s.%N)
tail -2 "$T/out.txt"
echo "import $ROWS rows: $(echo "$e - $s" | bc) s wall, $(grep -c '^line' "$T/out.txt") rows refused with line numbers"
s=$(date +%s.%N); build/wangge import residents --db "$T/qinghe.db" "$T/res.csv" > "$T/out2.txt" || true; e=$(date +%s.%N)
echo "re-import (no duplicates): $(tail -2 "$T/out2.txt" | head -1), $(echo "$e - $s" | bc) s wall"
