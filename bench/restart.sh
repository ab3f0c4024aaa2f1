#!/bin/sh
# How long wangge takes to serve again after a restart, on a store that is already built
# (a demo preset, password wangge-demo-2026; the ten-million city preset with a day of
# check-ins for issue 21: bench/README.md).  Prints figures only.  127.0.0.1 only.
#
#   1. a start with the store as the kernel has it cached, then one with the store's files
#      dropped from the kernel's cache first (posix_fadvise DONTNEED: this store's pages
#      only, nobody else's), every page it reads then read from the disk;
#   2. a clean stop (SIGTERM) during nothing, and the start after it;
#   3. a kill -9 in the middle of a rush of check-ins (RATE a second from a small client,
#      so the WAL holds work not yet copied back), and the start after it.
# Each start is timed from the exec to the first 200 of /api/v1/health, then to the first
# check-in answered (a resident looked up, the store written: serving, not only listening).
# The store keeps the check-ins made.
#
# usage: bench/restart.sh DB [RATE] [RUSH_SECONDS]   (default 300 /s for 20 s)
#   WANGGE=path runs another build.
set -e
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
DB=$1 RATE=${2:-300} RUSH=${3:-20}
[ -n "$DB" ] && [ -f "$DB" ] || { echo "usage: bench/restart.sh DB [RATE] [RUSH_SECONDS]" >&2; exit 2; }
BIN=${WANGGE:-build/wangge}
[ -n "$WANGGE" ] || make -s build/wangge >/dev/null
T=$(mktemp -d)
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
PORT=$(free_port)
NRES=$(sqlite3 "$DB" "select max(id) from residents")
echo "store $DB: $(du -h "$DB" | cut -f1), $(sqlite3 "$DB" "select count(*) from residents") residents, $(sqlite3 "$DB" "select count(*) from checkins") check-ins"

# the client: times a start (health, then one check-in), or posts RATE check-ins a second
cat > "$T/client.py" <<'PY'
import http.client, json, random, sys, threading, time
port, mode = int(sys.argv[1]), sys.argv[2]
def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60)
def login():
    c = conn()
    c.request("POST", "/api/v1/session", json.dumps({"username": "admin", "password": "wangge-demo-2026"}),
              {"Content-Type": "application/json"})
    return json.loads(c.getresponse().read())["token"]
def checkin(c, tok, nres):
    body = json.dumps({"resident_id": random.randint(1, nres), "temperature": 36.5, "channel": "phone"})
    c.request("POST", "/api/v1/checkins", body, {"Content-Type": "application/json", "Authorization": "Bearer " + tok})
    r = c.getresponse()
    r.read()
    return r.status
if mode == "start":  # argv: t0 (the exec, epoch seconds) nres
    t0, nres = float(sys.argv[3]), int(sys.argv[4])
    while True:
        try:
            c = conn()
            c.request("GET", "/api/v1/health")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.01)
    t1 = time.time()
    tok = login()
    c = conn()
    while checkin(c, tok, nres) not in (200, 201):  # a random id may be someone not living there
        pass
    t2 = time.time()
    print("%.2f %.2f" % (t1 - t0, t2 - t0))
else:  # rush: argv: rate nres seconds
    rate, nres, secs = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    tok, n, errs, lock = login(), [0], [0], threading.Lock()
    def worker(k, per):
        c, t = conn(), time.time()
        while True:
            t += 1.0 / per
            d = t - time.time()
            if d > 0:
                time.sleep(d)
            try:
                s = checkin(c, tok, nres)
            except Exception:
                return
            with lock:
                n[0] += 1
                errs[0] += s >= 500
    for k in range(8):
        threading.Thread(target=worker, args=(k, rate / 8.0), daemon=True).start()
    t0 = time.time()
    time.sleep(secs)
    print("%d check-ins in %.1f s (%d 5xx)" % (n[0], time.time() - t0, errs[0]), flush=True)
    time.sleep(3600)  # killed with the server
PY

start() { # $1: label
  t0=$(date +%s.%N)
  $BIN serve --db "$DB" --listen 127.0.0.1:$PORT --quiet > "$T/serve.out" 2>&1 & SRV=$!
  r=$(python3 "$T/client.py" $PORT start "$t0" "$NRES")
  echo "$1: health 200 after ${r% *} s, a login and the first check-in answered after ${r#* } s (load $(cut -d' ' -f1-3 /proc/loadavg))"
}
stop() {
  t0=$(date +%s.%N); kill -TERM $SRV; wait $SRV || true; SRV=""
  echo "  clean stop: $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s"
}

start "start, the store as cached"
stop
drop_cache "$DB" "$DB-wal" "$DB-shm"
start "start, the store dropped from the kernel's cache"
stop
start "start after a clean stop"
python3 "$T/client.py" $PORT rush "$RATE" "$NRES" "$RUSH" > "$T/rush.out" & RUSHPID=$!
sleep "$RUSH"
sleep 1
wal=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
kill -9 $SRV; wait $SRV 2>/dev/null || true; SRV=""
kill $RUSHPID 2>/dev/null; wait $RUSHPID 2>/dev/null || true
echo "rush: $(head -1 "$T/rush.out"), then kill -9 with a WAL of $((wal / 1048576)) MB"
start "start after kill -9"
stop
