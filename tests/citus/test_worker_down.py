"""A Citus worker stopped during a rush of check-ins (issue 20, item 3).

Run by `make citustest` (WANGGE_TEST_PG: the coordinator's URL, WANGGE_TEST_CITUS:
scripts/citus-db.sh, WANGGE_CITUS_DIR: the cluster's directory made by
../shared/tools/citus-cluster.sh, whose nodeN/ are plain PostgreSQL data directories);
skipped elsewhere.

A store of its own on the cluster: a city, districts until both workers hold at least
one (each district: a grid, a building, a household of two), a volunteer of each
district's grid (their check-ins and residents' pages are routed by the actor's
district, as a grid worker's are).  Check-ins run from several threads across all the districts; one
worker is stopped (`pg_ctl stop -m immediate`, a crash) and started again.  What must hold:
- while it is down, every check-in or resident's page of a district on it is answered
  503 with the JSON error `store_unavailable` (Chinese and English), and every one of the
  other districts 2xx — a writer's batch mixing both keeps the live ones;
- never a 500, never an answer later than the client's time limit;
- once it is back, every district is served again;
- every acknowledged check-in is in the store, and every unit's counters equal a recount;
- a fever among the check-ins raises its alert: while the worker is down, a fever in a
  district on the other worker is answered 201 with its alert, and that grid's alert list
  is served (alerts are distributed by district since issue 20's citus4 slice; before,
  they were a reference table written on every node, and a fever anywhere was refused);
  afterwards every acknowledged fever's alert is in the store.
"""
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PG = os.environ.get("WANGGE_TEST_PG")
CITUS = os.environ.get("WANGGE_TEST_CITUS")
CLUSTER = os.environ.get("WANGGE_CITUS_DIR")
BIN = os.environ.get("WANGGE_BIN", os.path.join(ROOT, "build", "wangge"))
PGBIN = "/usr/lib/postgresql/15/bin"
PASSWORD = "wangge-fault-2026"
TIME_LIMIT = 30  # the client's time limit of one request, seconds
THREADS = 6


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-d", url, "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def as_pg(argv):
    """A PostgreSQL server program as the cluster's owner (postgres when run as root)."""
    if os.getuid() == 0:
        argv = ["runuser", "-u", "postgres", "--"] + argv
    subprocess.run(argv, check=True, capture_output=True)


@unittest.skipUnless(PG and CITUS and CLUSTER, "needs a Citus cluster (make citustest)")
class WorkerDown(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.name = "fault_%d_%d" % (os.getpid(), int(time.time()) % 100000)
        subprocess.run([CITUS, "create", PG, cls.name], check=True, capture_output=True)
        cls.url = PG.rsplit("/", 1)[0] + "/" + cls.name
        cls.dir = tempfile.mkdtemp(prefix="wangge-fault-")
        cls.server = None
        subprocess.run([BIN, "init", "--db", cls.url, "--root-code", "4201", "--root-kind", "city",
                        "--root-name", "武汉市", "--admin-password", PASSWORD], check=True, capture_output=True)
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        cls.port = s.getsockname()[1]
        s.close()
        cls.log = open(os.path.join(cls.dir, "server.log"), "wb")
        cls.server = subprocess.Popen([BIN, "serve", "--db", cls.url, "--listen", "127.0.0.1:%d" % cls.port,
                                       "--quiet", "--writers", "2"], stdout=cls.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                if cls.call("GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        cls.admin = cls.login("admin")
        t0 = time.time()
        cls.build()
        print("\n%d districts built in %.0f s" % (len(cls.districts), time.time() - t0))

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "stopped", None):  # a failure left the worker down
            cls.start_worker(cls.stopped)
        if cls.server:
            cls.server.terminate()
            cls.server.wait(timeout=60)
        cls.log.close()
        subprocess.run([CITUS, "drop", PG, cls.name], capture_output=True)
        shutil.rmtree(cls.dir, ignore_errors=True)

    # ---- HTTP ----
    @classmethod
    def call(cls, method, path, body=None, token=None):
        c = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=TIME_LIMIT)
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

    @classmethod
    def ok(cls, method, path, body=None, token=None):
        st, out = cls.call(method, path, body, token or cls.admin)
        if st // 100 != 2:
            raise AssertionError("%s %s: %d %s" % (method, path, st, out))
        return out

    @classmethod
    def login(cls, user):
        st, out = cls.call("POST", "/api/v1/session", {"username": user, "password": PASSWORD})
        if st != 201:
            raise AssertionError("login %s: %d %s" % (user, st, out))
        return out["token"]

    # ---- the store: districts on both workers ----
    @classmethod
    def worker_of(cls, district_id):
        return int(psql(cls.url, "SELECT nodeport FROM pg_dist_shard_placement WHERE shardid = "
                                 "get_shard_id_for_distribution_column('households', %d)" % district_id))

    @classmethod
    def build(cls):
        workers = {}
        for n in sorted(os.listdir(CLUSTER)):
            if n.startswith("node") and n.endswith(".port") and n != "node0.port":
                with open(os.path.join(CLUSTER, n)) as f:
                    workers[int(f.read())] = os.path.join(CLUSTER, n[:-5])
        cls.workers = workers
        cls.districts = []  # {code, id, port, grid, token, residents}
        i = 0
        while i < 12 and (i < 2 or len({d["port"] for d in cls.districts}) < len(workers)):
            i += 1
            code = "4201%02d" % i
            d = cls.ok("POST", "/api/v1/units", {"code": code, "parent_code": "4201", "kind": "district",
                                                 "name": "第%d区" % i})
            parent = code
            for kind, suffix in (("grid", "-G01"), ("building", "-B01")):
                cls.ok("POST", "/api/v1/units", {"code": parent + suffix, "parent_code": parent, "kind": kind,
                                                 "name": "%s%d" % (kind, i)})
                parent += suffix
            grid, building = parent[:-4], parent
            residents = []
            for room in ("101",):
                hh = cls.ok("POST", "/api/v1/households", {"unit_code": building, "room": room, "occupancy": "occupied"})
                for k in range(2):
                    r = cls.ok("POST", "/api/v1/residents", {"household_id": hh["id"], "name": "居民%d%s%d" % (i, room, k)})
                    residents.append(r["id"])
            cls.ok("POST", "/api/v1/users", {"username": "vol%02d" % i, "password": PASSWORD, "role": "volunteer",
                                             "unit_code": grid})
            cls.districts.append({"code": code, "id": d["id"], "port": cls.worker_of(d["id"]), "grid": grid,
                                  "residents": residents, "token": cls.login("vol%02d" % i)})

    @classmethod
    def stop_worker(cls, port):
        as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", cls.workers[port], "stop", "-m", "immediate"])

    @classmethod
    def start_worker(cls, port):
        as_pg([os.path.join(PGBIN, "pg_ctl"), "-D", cls.workers[port], "-l", cls.workers[port] + ".log", "-w",
               "-o", "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB"
               % (port, CLUSTER), "start"])
        cls.stopped = None

    # ---- the rush ----
    def test_worker_down_during_rush(self):
        self.assertGreaterEqual(len({d["port"] for d in self.districts}), 2, "every district on one worker")
        dead_port = self.districts[0]["port"]
        phase = ["before"]
        results = []  # (phase, district index, kind, status, body)
        acked = []
        down_alerts = []  # (district, the grid's alert list read while the worker was down)
        fevers = []  # (phase, district index, alert id) of each acknowledged fever
        lock = threading.Lock()
        stop = threading.Event()
        seq = [0]

        def rush(t):
            k = t
            while not stop.is_set():
                di = k % len(self.districts)
                d = self.districts[di]
                rid = d["residents"][(k // len(self.districts)) % len(d["residents"])]
                k += THREADS
                ph = phase[0]
                with lock:
                    seq[0] += 1
                    n = seq[0]
                if n % 5 == 0:  # a resident's page among the check-ins
                    kind, method, path, body = "page", "GET", "/api/v1/residents/%d" % rid, None
                elif n % 5 == 3:  # a fever: the check-in raises (or adds to) the resident's alert
                    kind, method, path = "fever", "POST", "/api/v1/checkins"
                    body = {"resident_id": rid, "channel": "visit", "temperature": 38.6, "client_id": "f-%d" % n}
                else:
                    kind, method, path = "checkin", "POST", "/api/v1/checkins"
                    body = {"resident_id": rid, "channel": "visit", "temperature": 36.5, "client_id": "f-%d" % n}
                try:
                    st, out = self.call(method, path, body, d["token"])
                except OSError as e:  # a hang past the time limit, or the server gone
                    st, out = 0, repr(e)
                if ph != phase[0]:
                    ph = "changing"  # the phase changed while the request was out
                with lock:
                    results.append((ph, di, kind, st, out))
                    if kind in ("checkin", "fever") and st == 201:
                        acked.append(out["checkin_id"])
                    if kind == "fever" and st == 201:
                        fevers.append((ph, di, out.get("alert_id")))

        def count(ph, dead):
            with lock:
                return sum(1 for r in results if r[0] == ph and (self.districts[r[1]]["port"] == dead_port) == dead)

        def wait_for(ph, n):
            for _ in range(6000):
                if count(ph, True) >= n and count(ph, False) >= n:
                    return
                time.sleep(0.05)
            self.fail("the rush made no progress in phase %s" % ph)

        threads = [threading.Thread(target=rush, args=(t,)) for t in range(THREADS)]
        for t in threads:
            t.start()
        try:
            t0 = time.time()
            wait_for("before", 10)
            phase[0] = "stopping"
            self.stop_worker(dead_port)
            type(self).stopped = dead_port
            phase[0] = "down"
            t1 = time.time()
            wait_for("down", 15)
            # a fever of a live district was answered with its alert while the worker is down
            for _ in range(6000):
                with lock:
                    if any(ph == "down" and self.districts[di]["port"] != dead_port for ph, di, _ in fevers):
                        break
                time.sleep(0.05)
            else:
                self.fail("no fever of a live district acknowledged while the worker was down")
            # and each live grid's alert list is served (routed by the grid's district)
            for d in self.districts:
                if d["port"] == dead_port:
                    continue
                st, lst = self.call("GET", "/api/v1/alerts?state=active&unit=%s" % d["grid"], None, self.admin)
                self.assertEqual(st, 200, "alert list of %s while the other worker is down: %s" % (d["grid"], lst))
                down_alerts.append((d, lst))
            phase[0] = "starting"
            t2 = time.time()
            self.start_worker(dead_port)
            # served again once the coordinator reconnects (a check-in of each dead district)
            for d in self.districts:
                if d["port"] != dead_port:
                    continue
                for _ in range(600):
                    st, _ = self.call("GET", "/api/v1/residents/%d" % d["residents"][0], None, d["token"])
                    if st == 200:
                        break
                    time.sleep(0.1)
            phase[0] = "after"
            t3 = time.time()
            wait_for("after", 10)
            print("\nbefore %.0f s, down %.0f s, starting again %.0f s, after %.0f s"
                  % (t1 - t0, t2 - t1, t3 - t2, time.time() - t3))
        finally:
            stop.set()
            for t in threads:
                t.join()
            summary = {}
            for ph, di, kind, st, out in results:
                key = (ph, "dead" if self.districts[di]["port"] == dead_port else "live", kind, st)
                summary[key] = summary.get(key, 0) + 1
            print("\nphase    district request status: answers")
            print("\n".join("%-8s %-8s %-7s %3d: %d" % (k + (v,)) for k, v in sorted(summary.items())))
        for ph, di, kind, st, out in results:
            dead = self.districts[di]["port"] == dead_port
            where = "%s %s of district %s (%s)" % (ph, kind, self.districts[di]["code"], "dead" if dead else "live")
            self.assertTrue(st in (200, 201, 503), "%s: %d %s" % (where, st, out))  # never a 500, nor a hang
            if st == 503:  # the message names what was busy, should a 503 be another one
                self.assertEqual(out["error"]["code"], "store_unavailable", "%s: %s" % (where, out["error"].get("message")))
                self.assertRegex(out["error"]["message"], "[\u4e00-\u9fff].* / [a-z]", where)
            if ph in ("before", "after") or (ph == "down" and not dead):
                self.assertIn(st, (200, 201), "%s: %s" % (where, out))
            elif ph == "down":
                self.assertEqual(st, 503, "%s: %s" % (where, out))

        # every acknowledged fever answered with its alert, and each alert stored in its district
        for ph, di, alert in fevers:
            self.assertTrue(alert, "%s fever of district %s acknowledged without an alert" % (ph, self.districts[di]["code"]))
        alerts = {a for _, _, a in fevers}
        self.assertEqual(int(psql(self.url, "SELECT count(*) FROM alerts WHERE id IN (%s)" % ",".join(map(str, alerts)))),
                         len(alerts))
        for ph, di, alert in fevers:
            self.assertEqual(int(psql(self.url, "SELECT district_id FROM alerts WHERE id = %d" % alert)),
                             self.districts[di]["id"])
        for d, lst in down_alerts:  # a live grid's list showed its fevers' alerts
            ids = {a["id"] for a in lst["items"]}
            mine = {a for ph, di, a in fevers if self.districts[di] is d and ph in ("before", "down")}
            self.assertTrue(ids & mine or not mine, "alert list of %s: %s, fevers' alerts %s" % (d["grid"], ids, mine))
        # nothing acknowledged lost
        self.assertTrue(acked)
        ids = ",".join(str(i) for i in acked)
        self.assertEqual(int(psql(self.url, "SELECT count(DISTINCT id) FROM checkins WHERE id IN (%s)" % ids)),
                         len(set(acked)))
        # the counters equal a recount, at every level that was written
        day = None
        for code in ["4201"] + [d["code"] for d in self.districts] + [d["grid"] for d in self.districts]:
            cov = self.ok("GET", "/api/v1/coverage?unit=%s" % code)
            rec = self.ok("GET", "/api/v1/coverage/recount?unit=%s" % code)
            day = day or cov["day"]
            for f in ("households_total", "households_reached", "residents_total", "residents_accounted",
                      "residents_reported", "fevers", "symptomatic"):
                self.assertEqual(cov[f], rec[f], "%s of %s" % (f, code))
        total = self.ok("GET", "/api/v1/coverage?unit=4201")
        self.assertEqual(total["residents_accounted"], sum(len(d["residents"]) for d in self.districts))


if __name__ == "__main__":
    unittest.main()
