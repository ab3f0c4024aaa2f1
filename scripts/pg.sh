#!/bin/sh
# A throwaway PostgreSQL cluster for tests and benchmarks, in a temporary folder on a
# local port.  usage: scripts/pg.sh start DIR [PORT] → prints the connection URL (free port if none)
#                     scripts/pg.sh stop DIR
# As root, the cluster runs as the 'postgres' system user (initdb refuses root).
# PG_FSYNC=off (make pgtest) turns PostgreSQL's own fsync off: the tests kill wangge, never
# PostgreSQL, so its flushes are not under test there and took a third of the suite's time;
# the benchmarks (bench/*.sh) keep the default, fsync on, as a real server has it.
set -e
cmd=$1 dir=$2 port=${3:-}
fsync=${PG_FSYNC:-on}
case $fsync in on) ;; off) fsync='off -c full_page_writes=off' ;; *) echo "pg.sh: PG_FSYNC is on or off" >&2; exit 2 ;; esac
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  as "$bin/initdb" -D "$dir/data" -A trust -U wangge -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as "$bin/initdb" -D "$dir/data" -A trust -U wangge -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
  # a port taken between choosing and binding: try another
  for try in 1 2 3 4 5; do
    [ -n "$port" ] || port=$(free_port)
    if as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=200 -c shared_buffers=128MB" \
      start >/dev/null; then
      break
    fi
    [ "$try" = 5 ] && { echo "pg.sh: the cluster did not start; see $dir/server.log" >&2; exit 1; }
    port=""
  done
  as "$bin/createdb" -h 127.0.0.1 -p "$port" -U wangge wangge
  echo "postgres://wangge@127.0.0.1:$port/wangge"
  ;;
stop)
  as "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: pg.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
