#!/bin/sh
# A program under valgrind's memcheck — every run of `make valgrind`: the unit tests, the
# fuzz replays, and (as the API suite's WANGGE_BIN) the server and its commands.  Runs
# $VALGRIND_PROG (default build/wangge) with the arguments given; exits 9 on a definite or
# indirect leak or a memory error; each process's report in $VALGRIND_LOGS/vg.PID.log.
# The server links tcmalloc: memcheck takes its malloc over (--soname-synonyms).
here=$(cd "$(dirname "$0")/.." && pwd)
exec valgrind -q --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=9 --soname-synonyms='somalloc=*tcmalloc*' --suppressions="$here/tests/valgrind/tcmalloc.supp" \
  --log-file="${VALGRIND_LOGS:-/tmp}/vg.%p.log" "${VALGRIND_PROG:-$here/build/wangge}" "$@"
