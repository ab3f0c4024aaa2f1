#!/bin/sh
# scripts/stage.sh FILE NAME COMMAND... — runs one stage of `make test`, then prints, and
# appends to FILE, how long it took: wall seconds and the CPU seconds its processes used
# (the processes this shell waited for: /proc/PID/stat cutime + cstime; a server
# started in the background and left running is not among them, nor are a database
# server's) and how many of the machine's cores were busy on average (/proc/stat: every
# process, the database servers and anything else running among them), so that a run's
# log says where its minutes went and whether a stage left a core idle.
file=$1 name=$2
shift 2
busy() { awk '/^cpu /{printf "%d\n", $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
s=$(date +%s.%N)
b0=$(busy)
"$@"
rc=$?
e=$(date +%s.%N)
b1=$(busy)
wall=$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%d", e - s + 0.5}')
cores=$(awk -v b="$((b1 - b0))" -v w="$(awk -v s="$s" -v e="$e" 'BEGIN {print e - s}')" -v t="$(getconf CLK_TCK)" \
	'BEGIN {printf "%.1f", (w > 0 ? b / t / w : 0)}')
cpu=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.0f", ($16 + $17) / t}' /proc/$$/stat)
line=$(printf '%-46s %5d s wall %6d s CPU %4s of %d cores busy%s' "$name" "$wall" "$cpu" "$cores" "$(nproc)" \
	"$([ $rc -eq 0 ] || echo '  FAILED')")
echo "== stage: $line"
echo "$line" >> "$file"
exit $rc
