#!/bin/sh
# wangge under valgrind's memcheck — the API suite's WANGGE_BIN in `make valgrind`.  Exits
# 9 on a definite or indirect leak or a memory error (the harness then reports the server,
# or the command, as failed); each process's report in $VALGRIND_LOGS/vg.PID.log.
# The server links tcmalloc: memcheck takes its malloc over (--soname-synonyms).
here=$(cd "$(dirname "$0")/.." && pwd)
exec valgrind -q --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=9 --soname-synonyms='somalloc=*tcmalloc*' --suppressions="$here/tests/valgrind/tcmalloc.supp" \
  --log-file="${VALGRIND_LOGS:-/tmp}/vg.%p.log" "${WANGGE_VG_BIN:-$here/build/wangge}" "$@"
