#!/usr/bin/env python3
"""Adding a worker to a running Citus cluster during a rush of check-ins (issue 20): the
driver of bench/rebalance.sh, which starts the cluster, loads the province preset and the
server.  Threads check in random living residents, each as their grid worker, each request
with a client_id, for BEFORE seconds; then a third worker is started and added
(citus_add_node), citus_rebalance_start() moves shards onto it, the rush goes on while the
moves run (citus_rebalance_status() polled) and for AFTER seconds more.  Prints what was
answered in each phase (every non-2xx counted, the 503s' window measured), whether every
acknowledged check-in is in the store, and whether every unit's counters equal a recount.

usage: bench/rebalance.py URL PORT CLUSTER_DIR [THREADS] [BEFORE] [AFTER]   (via rebalance.sh)
"""
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

URL, PORT, CDIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
THREADS = int(sys.argv[4]) if len(sys.argv) > 4 else 8
BEFORE = float(sys.argv[5]) if len(sys.argv) > 5 else 20
AFTER = float(sys.argv[6]) if len(sys.argv) > 6 else 20
PGBIN = "/usr/lib/postgresql/15/bin"
PASSWORD = "wangge-demo-2026"
TIME_LIMIT = 30
FIELDS = ("households_total", "households_reached", "residents_total", "residents_accounted",
          "residents_reported", "fevers", "symptomatic")


def psql(sql, url=URL):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-d", url, "-c", sql], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("psql: %s: %s" % (sql[:80], r.stderr.strip()))
    return r.stdout.strip()


def as_pg(argv):
    if os.getuid() == 0:
        argv = ["runuser", "-u", "postgres", "--"] + argv
    subprocess.run(argv, check=True, capture_output=True)


def call(method, path, body=None, token=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=TIME_LIMIT)
    try:
        h = {"Content-Type": "application/json", "X-Wangge": "1"}
        if token:
            h["Authorization"] = "Bearer " + token
        c.request(method, path, json.dumps(body) if body is not None else None, h)
        r = c.getresponse()
        raw = r.read()
        try:
            return r.status, json.loads(raw) if raw else None
        except ValueError:
            return r.status, raw
    finally:
        c.close()


def login(user):
    st, out = call("POST", "/api/v1/session", {"username": user, "password": PASSWORD})
    assert st == 201, (user, st, out)
    return out["token"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---- the residents and their grid workers ----
rows = psql("select r.id, (select min(w.username) from users w where w.unit_id = g.id and w.role = 'grid_worker'"
            " and w.username like 'gw%') from residents r join households h on h.id = r.household_id"
            " and h.district_id = r.district_id join units e on e.id = h.unit_id join units g on g.kind = 'grid'"
            " and substr(e.path, 1, length(g.path)) = g.path where r.residence = 'living'").splitlines()
pairs = [(int(a), b) for a, b in (r.split("|") for r in rows)]
tokens = {u: login(u) for u in sorted({u for _, u in pairs})}
admin = login("admin")
print("%d residents, %d grid workers, %d districts; %d threads" %
      (len(pairs), len(tokens), int(psql("select count(*) from units where kind = 'district'")), THREADS))

phase = ["before"]
stop = threading.Event()
lock = threading.Lock()
answers = []  # (t, phase, status, code, checkin_id, client_id)
t0 = time.time()


def rush(k):
    rnd = random.Random(k)
    n = 0
    while not stop.is_set():
        rid, user = rnd.choice(pairs)
        n += 1
        cid = "rb-%d-%d" % (k, n)
        ph = phase[0]
        try:
            st, out = call("POST", "/api/v1/checkins", {"resident_id": rid, "channel": "phone", "client_id": cid,
                                                        "temperature": 36.0 + rnd.randint(0, 9) / 10}, tokens[user])
        except (OSError, http.client.HTTPException) as e:
            st, out = 0, {"error": {"code": type(e).__name__}}
        code = out.get("error", {}).get("code") if isinstance(out, dict) and st // 100 != 2 else None
        with lock:
            answers.append((time.time() - t0, ph if ph == phase[0] else ph + "→" + phase[0], st, code,
                            out.get("checkin_id") if isinstance(out, dict) and st // 100 == 2 else None, cid))


# (daemon threads: a failure of the main thread below ends the rush with it)
threads = [threading.Thread(target=rush, args=(k,), daemon=True) for k in range(THREADS)]
for t in threads:
    t.start()
time.sleep(BEFORE)

# ---- a third worker, as citus-cluster.sh starts one ----
phase[0] = "adding"
n = os.path.join(CDIR, "node3")
ta = time.time()
as_pg([PGBIN + "/initdb", "-D", n, "-A", "trust", "-U", "wangge", "-E", "UTF8", "--locale=C.UTF-8"])
with open(os.path.join(n, "postgresql.conf"), "a") as f:
    f.write("shared_preload_libraries = 'citus'\nwal_level = logical\n")
port = free_port()
as_pg([PGBIN + "/pg_ctl", "-D", n, "-l", n + ".log", "-w", "-o",
       "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB" % (port, CDIR), "start"])
dbname = URL.rsplit("/", 1)[1]
as_pg([PGBIN + "/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "wangge", dbname])
node = "postgres://wangge@127.0.0.1:%d/%s" % (port, dbname)
psql("CREATE EXTENSION citus", node)
psql("SELECT citus_add_node('127.0.0.1', %d)" % port)
added = time.time() - t0
print("worker 3 on port %d added in %.1f s (at t=%.1f s)" % (port, time.time() - ta, added))

before = psql("SELECT nodeport, count(*) FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)"
              " WHERE s.logicalrelid = 'households'::regclass GROUP BY nodeport ORDER BY nodeport")
# citus_rebalance_start() copies the reference tables to the new worker, then moves shards,
# both by logical replication (every table has a primary key since citus7: before, one of
# them, staff_pass_scope, had none, and this script copied the reference tables first with
# replicate_reference_tables('block_writes'), writes to them held for the copy)
phase[0] = "moving"
tm = time.time()
psql("SELECT citus_rebalance_start()")
state = ""
while True:
    state = psql("SELECT state FROM citus_rebalance_status() ORDER BY job_id DESC LIMIT 1")
    if state in ("finished", "failed", "cancelled"):
        break
    time.sleep(0.5)
moved = time.time() - t0
print("citus_rebalance_start: %s in %.1f s (t=%.1f → %.1f s)" % (state, time.time() - tm, tm - t0, moved))
after = psql("SELECT nodeport, count(*) FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)"
             " WHERE s.logicalrelid = 'households'::regclass GROUP BY nodeport ORDER BY nodeport")
print("households' shards by worker port, before: %s; after: %s" % (before.replace("\n", ", "), after.replace("\n", ", ")))
phase[0] = "after"
time.sleep(AFTER)
stop.set()
for t in threads:
    t.join()
total_t = time.time() - t0

# ---- what was answered ----
print("\nphase      requests  acknowledged  per s   non-2xx (status code: count)")
for ph in ("before", "adding", "moving", "after"):
    a = [x for x in answers if x[1] == ph]
    span = {"before": BEFORE, "adding": tm - ta, "moving": moved - (tm - t0), "after": AFTER}[ph]
    # ("adding": the node's start, citus_add_node and the reference tables' copy)
    bad = {}
    for x in a:
        if x[2] // 100 != 2:
            bad["%s %s" % (x[2], x[3])] = bad.get("%s %s" % (x[2], x[3]), 0) + 1
    ok = sum(1 for x in a if x[2] // 100 == 2)
    print("%-10s %8d  %12d  %6.0f   %s" % (ph, len(a), ok, ok / span if span else 0, bad or "none"))
mixed = [x for x in answers if "→" in x[1]]
print("%-10s %8d  %12d           %s" % ("(changing)", len(mixed), sum(1 for x in mixed if x[2] // 100 == 2),
                                        {("%s %s" % (x[2], x[3])) for x in mixed if x[2] // 100 != 2} or "none"))
e503 = [x[0] for x in answers if x[2] == 503]
if e503:
    print("503s: %d, from t=%.1f to t=%.1f s" % (len(e503), min(e503), max(e503)))
lat = sorted(x[0] for x in answers)
errors = [x for x in answers if x[2] // 100 != 2 and x[2] != 503]
print("other errors: %d" % len(errors))

# ---- nothing acknowledged lost ----
acked = [x[4] for x in answers if x[4]]
found = 0
for i in range(0, len(acked), 2000):
    found += int(psql("SELECT count(DISTINCT id) FROM checkins WHERE id IN (%s)" % ",".join(map(str, acked[i:i + 2000]))))
print("acknowledged check-ins: %d, in the store afterwards: %d%s" %
      (len(set(acked)), found, "" if found == len(set(acked)) else "  — LOST %d" % (len(set(acked)) - found)))

# ---- counters = recount, every unit down to the grids ----
codes = psql("SELECT code FROM units WHERE kind IN ('province', 'city', 'district', 'street', 'community', 'grid')"
             " ORDER BY path").splitlines()
differ = []
for code in codes:
    st, cov = call("GET", "/api/v1/coverage?unit=%s" % code, token=admin)
    st2, rec = call("GET", "/api/v1/coverage/recount?unit=%s" % code, token=admin)
    assert st == 200 and st2 == 200, (code, st, cov, st2, rec)
    if any(cov[f] != rec[f] for f in FIELDS):
        differ.append(code)
print("counters against a recount: %d units, %d differ%s" % (len(codes), len(differ), (": " + ", ".join(differ[:10])) if differ else ""))
print("rush: %.0f s in all, %d requests" % (total_t, len(answers)))
sys.exit(1 if differ or found != len(set(acked)) or errors else 0)
