#!/bin/sh
# scripts/stage.sh FILE NAME COMMAND... — runs one stage of `make test`, then prints, and
# appends to FILE, how long it took: wall seconds and the CPU seconds its processes used
# (the processes this shell waited for: /proc/PID/stat cutime + cstime; a server
# started in the background and left running is not among them), so that a run's log
# says where its minutes went.
file=$1 name=$2
shift 2
s=$(date +%s)
"$@"
rc=$?
e=$(date +%s)
cpu=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.0f", ($16 + $17) / t}' /proc/$$/stat)
line=$(printf '%-40s %5d s wall %6d s CPU%s' "$name" $((e - s)) "$cpu" "$([ $rc -eq 0 ] || echo '  FAILED')")
echo "== stage: $line"
echo "$line" >> "$file"
exit $rc
