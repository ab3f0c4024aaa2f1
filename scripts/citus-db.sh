#!/bin/sh
# A database of its own on a Citus cluster, for one test: created on the coordinator and
# on every worker (citus.enable_create_database_propagation), with the citus extension in
# each and the workers registered in the new database's metadata, as
# ../shared/tools/citus-cluster.sh does for its first database.
#   usage: scripts/citus-db.sh create URL NAME   (URL: the coordinator's, any database)
#          scripts/citus-db.sh drop URL NAME
set -e
cmd=$1 url=$2 name=$3
base=${url%/*}
q() { psql -X -q -At -d "$1" -c "$2"; }
# each its own transaction (CREATE/DROP DATABASE refuse one)
prop() { psql -X -q -At -d "$1" -c "SET citus.enable_create_database_propagation TO on" -c "$2"; }
case "$cmd" in
create)
  prop "$url" "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
  prop "$url" "CREATE DATABASE $name" >/dev/null
  # A test's few districts need few shards: at Citus's default of 32 a table, laying the
  # store out (ten distributed tables, their indexes and keys) took 24 s of every test
  # database's start, at 4 it takes 5 s.  Two shards a worker still spread each table over
  # both workers; a real cluster keeps its own setting (docs/SCALING.md).
  q "$url" "ALTER DATABASE $name SET citus.shard_count = ${WANGGE_CITUS_SHARDS:-4}"
  nodes=$(q "$url" "SELECT nodename || ':' || nodeport FROM pg_dist_node WHERE groupid <> 0 ORDER BY nodeid")
  user=$(q "$url" "SELECT current_user")
  for n in $nodes; do
    q "postgres://$user@$n/$name" "CREATE EXTENSION IF NOT EXISTS citus"
  done
  hp=$(q "$url" "SELECT nodename || ' ' || nodeport FROM pg_dist_node WHERE groupid = 0")
  q "$base/$name" "CREATE EXTENSION citus" >/dev/null
  [ -n "$hp" ] && q "$base/$name" "SELECT citus_set_coordinator_host('${hp% *}', ${hp#* })" >/dev/null
  for n in $nodes; do
    q "$base/$name" "SELECT citus_add_node('${n%:*}', ${n#*:})" >/dev/null
  done
  ;;
drop) # best effort, then on each worker by itself: a worker may still have held a
  # connection from the coordinator's cache (a database left behind keeps a maintenance
  # daemon, and a few of them exhaust a node's max_worker_processes)
  nodes=$(q "$url" "SELECT nodename || ':' || nodeport FROM pg_dist_node WHERE groupid <> 0 ORDER BY nodeid")
  user=$(q "$url" "SELECT current_user")
  prop "$url" "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  for n in $nodes; do
    q "postgres://$user@$n/postgres" "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  ;;
*) echo "usage: citus-db.sh create|drop URL NAME" >&2; exit 2 ;;
esac
