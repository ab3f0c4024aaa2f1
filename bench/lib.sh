# shellcheck shell=sh
# bench/lib.sh — what the check-in benchmarks share; sourced (. bench/lib.sh), not run.
# Servers on 127.0.0.1 only, demo accounts (password wangge-demo-2026).

# free_port: a TCP port of 127.0.0.1 nobody listens on now
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# drop_cache FILE…: the files' pages written out and dropped from the kernel's cache (these
# files only, nobody else's); a file that is not there is skipped
drop_cache() {
  python3 -c '
import os, sys
for p in sys.argv[1:]:
    if os.path.exists(p):
        fd = os.open(p, os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)
' "$@"
}

# wait_up PORT [TENTHS]: until the server on PORT answers /api/v1/health (at most TENTHS
# tenths of a second, default 1200)
wait_up() {
  for _ in $(seq "${2:-1200}"); do curl -sf "http://127.0.0.1:$1/api/v1/health" >/dev/null && break; sleep 0.1; done
}

# demo_token PORT [USER]: a session token of the demo account USER (default admin)
demo_token() {
  curl -s -XPOST "http://127.0.0.1:$1/api/v1/session" -H 'Content-Type: application/json' \
    -d '{"username":"'"${2:-admin}"'","password":"wangge-demo-2026"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])'
}

# checkin_lua FILE TOKEN NRES: wrk's script posting check-ins of random residents 1..NRES
checkin_lua() {
  cat >"$1" <<LUA
request = function()
  return wrk.format("POST", "/api/v1/checkins", {["Content-Type"]="application/json", ["Authorization"]="Bearer $2"},
    '{"resident_id":' .. math.random(1, $3) .. ',"temperature":36.' .. math.random(0, 9) .. ',"channel":"phone"}')
end
LUA
}
