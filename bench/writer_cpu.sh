#!/bin/sh
# The writer thread's CPU per check-in: what a check-in costs where every write of the
# server waits (one SQLite writer), measured so that a busy, shared machine does not skew
# it as a rate does.  Serves a built store (any demo preset, password wangge-demo-2026)
# with each given binary in turn, posts check-ins of random residents from CONNECTIONS
# connections for SECONDS (wrk, as bench/checkins.sh), and reads the writer thread's
# utime + stime (/proc/PID/task/TID/stat; the writer is the thread at nice -5, so run it
# as root or with CAP_SYS_NICE) before and after; the check-ins written are the store's
# new check-in rows.  Runs the binaries alternately ROUNDS times on the same store, so
# old and new meet the same store and the same machine.  The store keeps the check-ins.
#
# usage: bench/writer_cpu.sh DB SECONDS CONNECTIONS ROUNDS BINARY...
#   e.g. bench/writer_cpu.sh bench/out/city-0.1.db 20 64 3 /tmp/old/wangge build/wangge
# Prints one line per run: binary, check-ins, writer CPU s, µs per check-in, rate,
# process CPU, load average.
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
DB=$1 SECS=${2:-20} CONNS=${3:-64} ROUNDS=${4:-3}
shift 4 || { echo "usage: bench/writer_cpu.sh DB SECONDS CONNECTIONS ROUNDS BINARY..." >&2; exit 2; }
[ -f "$DB" ] && [ $# -ge 1 ] || { echo "usage: bench/writer_cpu.sh DB SECONDS CONNECTIONS ROUNDS BINARY..." >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench/writer_cpu.sh needs wrk (apt-get install wrk)"; exit 1; }
T=$(mktemp -d)
SRV_PID=
trap 'if [ -n "$SRV_PID" ]; then kill $SRV_PID 2>/dev/null || true; fi; rm -rf "$T"' EXIT
TCK=$(getconf CLK_TCK)
NRES=$(sqlite3 "$DB" "select max(id) from residents")
# utime + stime (fields 14, 15) of a /proc stat file, the command name may hold spaces
ticks() { sed 's/^.*) //' "$1" | awk '{print $12 + $13}'; }
printf '%-34s %9s %8s %9s %9s %8s %s\n' binary check-ins "writer s" "µs/chk" "chk/s" "proc s" load
r=0
while [ $r -lt "$ROUNDS" ]; do
  for BIN in "$@"; do
    WP=$(free_port)
    "$BIN" serve --db "$DB" --listen 127.0.0.1:$WP --quiet & SRV_PID=$!
    wait_up "$WP"
    checkin_lua "$T/checkin.lua" "$(demo_token "$WP" "${BENCH_USER:-admin}")" "$NRES"
    # a short warm-up (the writer's first batches read the store into the cache)
    wrk -t1 -c"$CONNS" -d2s -s "$T/checkin.lua" "http://127.0.0.1:$WP/" >/dev/null
    TID=
    for t in /proc/$SRV_PID/task/*; do
      [ "$(sed 's/^.*) //' "$t/stat" | awk '{print $17}')" = -5 ] && TID=${t##*/}
    done
    [ -n "$TID" ] || { echo "no thread at nice -5: run as root (the writer's priority)"; exit 1; }
    c0=$(sqlite3 "$DB" "select max(id) from checkins") w0=$(ticks /proc/$SRV_PID/task/$TID/stat)
    p0=$(ticks /proc/$SRV_PID/stat)
    wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$T/checkin.lua" "http://127.0.0.1:$WP/" > "$T/w"
    w1=$(ticks /proc/$SRV_PID/task/$TID/stat) p1=$(ticks /proc/$SRV_PID/stat)
    c1=$(sqlite3 "$DB" "select max(id) from checkins")
    kill $SRV_PID; wait $SRV_PID 2>/dev/null || true; SRV_PID=
    awk -v b="$BIN" -v n=$((c1 - c0)) -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v hz="$TCK" -v s="$SECS" \
      -v l="$(cut -d' ' -f1-3 /proc/loadavg)" \
      'BEGIN { printf "%-34s %9d %8.2f %9.1f %9.0f %8.2f %s\n", b, n, w / hz, n ? w / hz * 1e6 / n : 0, n / s, p / hz, l }'
  done
  r=$((r + 1))
done
