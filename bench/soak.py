#!/usr/bin/env python3
"""soak.py — a day's mixed load, kept (bench/soak.sh runs it).

Open-loop streams against one server on 127.0.0.1 (each request is due at its time; a
late answer counts from when it was due, so a stall is not hidden): check-ins at RATE/s,
dashboards reading coverage (16 per 100 check-ins) and missing lists (1 per 175), SSE
clients reconnecting every minute (ids checked for gaps, `reset` events counted), a
login/logout cycle every 3 s, a 500-row residents import every 5 minutes (the first at
one minute), and `wangge backup` at half time.  Every 30 s a line: RSS, fds, threads,
WAL and store size, rates, p50/p99 per stream, errors, SSE events missed.  At the end:
integrity, counters against a recount, every acknowledged check-in present, and the
backup opened and checked (integrity, its counters against its own rows).
Exit status 1 when any end check fails.

usage: soak.py --bin BIN --db STORE --port PORT --pid PID --minutes M --rate R"""
import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import sqlite3
import subprocess
import threading
import time

COMMUNITY_KINDS = ("community",)


class Stream:
    def __init__(self, name):
        self.name, self.lat, self.err, self.n = name, [], 0, 0
        self.lock = threading.Lock()

    def add(self, ms, ok):
        with self.lock:
            self.n += 1
            self.lat.append(ms)
            if not ok:
                self.err += 1

    def take(self):
        with self.lock:
            lat, n, err = self.lat, self.n, self.err
            self.lat, self.n, self.err = [], 0, 0
        return lat, n, err


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, method, path, body=None, token=None, ctype="application/json", timeout=30):
        h = {}
        if body is not None:
            h["Content-Type"] = ctype
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
            if isinstance(body, str):
                body = body.encode("utf-8")
        if token:
            h["Authorization"] = "Bearer " + token
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
                self.conn.request(method, "/api/v1" + path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, (json.loads(data) if data[:1] in (b"{", b"[") else data)
            except (OSError, http.client.HTTPException):
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt:
                    return 0, None


SSE_EVENT = re.compile(rb"(?:^|\n)id: (\d+)\nevent: ([\w.-]+)")


def sse_clients(port, token, stop, counts):
    """20 live-feed clients, each reconnecting every minute with Last-Event-ID; counts[0]
    events read, counts[1] missed without being told (a gap in the ids), counts[2] resets."""
    def client(k):
        last = None
        while not stop.is_set():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            h = {"Authorization": "Bearer " + token}
            if last is not None:
                h["Last-Event-ID"] = str(last)
            try:
                conn.request("GET", "/api/v1/events", headers=h)
                r = conn.getresponse()
                end = time.monotonic() + 60 + k  # reconnect every minute
                buf = b""
                while time.monotonic() < end and not stop.is_set():
                    chunk = r.read1(65536)
                    if not chunk:
                        break
                    buf += chunk
                    cut = buf.rfind(b"\n\n")
                    if cut < 0:
                        continue
                    done, buf = buf[:cut + 2], buf[cut + 2:]
                    n = gap = resets = 0
                    for m in SSE_EVENT.finditer(done):
                        i = int(m.group(1))
                        if m.group(2) == b"reset":
                            resets += 1
                        elif last is not None and i != last + 1:
                            gap += i - last - 1
                        n += 1
                        last = i
                    with counts.get_lock():
                        counts[0] += n
                        counts[1] += gap
                        counts[2] += resets
            except (OSError, http.client.HTTPException, ValueError):
                pass
            conn.close()
    ts = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(20)]
    for t in ts:
        t.start()
    stop.wait()


def paced(stop, rate, fn, workers):
    """Call fn(due) at rate/s from `workers` threads, open-loop (each call due at its slot)."""
    def run(k):
        t0 = time.monotonic()
        i = k
        while not stop.is_set():
            due = t0 + i / rate
            i += workers
            d = due - time.monotonic()
            if d > 0:
                stop.wait(d)
                if stop.is_set():
                    return
            fn(due)
    ts = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(workers)]
    for t in ts:
        t.start()
    return ts


def main():
    ap = argparse.ArgumentParser()
    for a in ("bin", "db", "port", "pid", "minutes", "rate", "out"):
        ap.add_argument("--" + a, required=a not in ("out",))
    a = ap.parse_args()
    port, pid, minutes, rate = int(a.port), int(a.pid), float(a.minutes), float(a.rate)
    lite = not a.db.startswith("postgres")
    c = Client(port)
    st, login = c.call("POST", "/session", {"username": "admin", "password": "wangge-demo-2026"})
    token = login["token"]
    q = (lambda sql: sqlite3.connect("file:%s?mode=ro" % a.db, uri=True, timeout=30).execute(sql).fetchone()) if lite \
        else (lambda sql: subprocess.run(["psql", "-qtA", "-d", a.db, "-c", sql], capture_output=True, text=True).stdout.strip().split("|"))
    nres = int(q("select max(id) from residents")[0])
    street = q("select code from units where kind='street' order by id limit 1")[0]
    grid = q("select code from units where kind='grid' order by id limit 1")[0]
    community = q("select code from units where kind='community' order by id limit 1")[0]
    entrance = q("select u.code from units u where u.kind in ('entrance','building') and u.path like "
                 "(select path from units where code='%s') || '%%' order by u.id limit 1" % grid)[0]
    streams = {k: Stream(k) for k in ("checkin", "coverage", "missing", "login", "import", "sse")}
    acked = []
    bad_status = {}
    ack_lock = threading.Lock()
    stop = threading.Event()
    local = threading.local()

    def client():
        if not hasattr(local, "c"):
            local.c = Client(port)
        return local.c

    def checkin(due):
        rid = random.randint(1, nres)
        cid = "soak-%d-%d" % (rid, random.getrandbits(40))
        s, b = client().call("POST", "/checkins", {"resident_id": rid, "temperature": 36.5, "channel": "phone",
                                                    "client_id": cid}, token)
        # 404 / 400: an id that is not a resident living there (the ids are drawn blind)
        streams["checkin"].add((time.monotonic() - due) * 1000, s in (201, 404, 400))
        if s not in (201, 404, 400):
            with ack_lock:
                bad_status[s] = bad_status.get(s, 0) + 1
        if s == 201:
            with ack_lock:
                acked.append((rid, cid))

    def coverage(due):
        u = random.choice(["4201", street, grid])
        s, _ = client().call("GET", "/coverage?unit=" + u, token=token)
        streams["coverage"].add((time.monotonic() - due) * 1000, s == 200)

    def missing(due):
        s, _ = client().call("GET", "/coverage/missing?unit=%s&limit=50" % grid, token=token)
        streams["missing"].add((time.monotonic() - due) * 1000, s == 200)

    def login_cycle(due):
        cl = client()
        s, b = cl.call("POST", "/session", {"username": "admin", "password": "wangge-demo-2026"})
        ok = s == 201
        if ok:
            s2, _ = cl.call("DELETE", "/session", token=b["token"])
            ok = s2 == 200
        streams["login"].add((time.monotonic() - due) * 1000, ok)

    imports = [0]

    def do_import(due):
        imports[0] += 1
        rows = ["姓名,单位编码,房号"] + ["浸泡%d号%d,%s,S%d-%d" % (imports[0], i, entrance, imports[0], i // 2)
                                         for i in range(500)]
        s, b = client().call("POST", "/imports/residents", "\n".join(rows) + "\n", token, ctype="text/csv", timeout=120)
        streams["import"].add((time.monotonic() - due) * 1000, s == 200 and b.get("bad") == 0)

    # The 20 SSE clients read ~20 events for every check-in sent: in this interpreter their
    # parsing held the GIL the check-in threads wait for, and a check-in's measured time
    # counted that wait (bench/README.md).  They run in a process of their own (forked
    # before any thread starts), parse with one regular expression per chunk, and add
    # their counts to shared memory: events read, events missed without a reset, resets.
    sse = multiprocessing.Array("q", 3)
    sse_stop = multiprocessing.Event()
    sse_p = multiprocessing.Process(target=sse_clients, args=(port, token, sse_stop, sse), daemon=True)
    sse_p.start()

    threads = []
    workers = max(4, int(rate // 60))
    threads += paced(stop, rate, checkin, workers)
    threads += paced(stop, rate * 0.16, coverage, 2)
    threads += paced(stop, rate / 175, missing, 1)
    threads += paced(stop, 1 / 3, login_cycle, 1)
    t_imp = time.monotonic()

    def importer():
        nxt = 60.0
        while not stop.wait(max(0, t_imp + nxt - time.monotonic())):
            do_import(t_imp + nxt)
            nxt += 300
    threading.Thread(target=importer, daemon=True).start()

    backup = {"path": (a.out or "/tmp") + "/soak-%d.bak" % os.getpid()}

    def backupper():
        if stop.wait(minutes * 30):
            return
        t0 = time.monotonic()
        r = subprocess.run([a.bin, "backup", "--db", a.db, "--out", backup["path"]], capture_output=True, text=True)
        backup["secs"] = time.monotonic() - t0
        backup["rc"] = r.returncode
        backup["err"] = r.stderr.strip()
    bthread = threading.Thread(target=backupper, daemon=True)
    bthread.start()

    def proc(field):
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
        return 0

    # The writer's side (issue 22): its cache dropped because another connection committed,
    # the commits of other connections, its page-cache misses per job, its thread's page
    # faults — counters, not timings, so they compare across a busy machine's runs.
    def writer_tid():
        for t in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                    if f.read().strip() == "wg-writer":
                        return t
            except OSError:
                pass
        return None

    wtid = writer_tid()
    ticker = [{}]  # the ticker's tasks: commits on its own connection, jobs handed to the writer

    def writer_counts():
        _, h = c.call("GET", "/health/store", token=token)
        w = h.get("writer", {}) if isinstance(h, dict) else {}
        flt = 0
        try:
            with open("/proc/%d/task/%s/stat" % (pid, wtid)) as f:
                fs = f.read().rsplit(")", 1)[1].split()
                flt = int(fs[7]) + int(fs[9])  # minflt + majflt
        except (OSError, IndexError, TypeError):
            pass
        tk = h.get("ticker", {}) if isinstance(h, dict) else {}
        ticker[0] = tk
        return (w.get("jobs", 0), w.get("cache_resets", 0), h.get("other_commits", 0) if isinstance(h, dict) else 0,
                w.get("cache_misses", 0), flt, sum(v.get("commits", 0) for v in tk.values()))

    # bytes the server read from the disk (not the page cache): store pages dropped from
    # the kernel's cache and read again (rdMB, per window)
    def disk_read():
        try:
            with open("/proc/%d/io" % pid) as f:
                for line in f:
                    if line.startswith("read_bytes:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    rdprev = [disk_read()]
    wprev = writer_counts()
    wfirst = wprev
    start = last = time.monotonic()
    print("%6s %7s %5s %4s %7s %7s | %-26s | %-22s | %-20s | %-18s | %-19s | %s" % (
        "t(s)", "anonMB", "fds", "thr", "walMB", "storeMB", "check-ins /s p50 p99 err", "coverage /s p50 p99",
        "missing p50 p99", "login p50 max", "sse ev missed reset", "writer: resets othercommits miss/job faults/s tick rdMB"),
        flush=True)
    while time.monotonic() - start < minutes * 60:
        time.sleep(min(30, max(0.1, start + minutes * 60 - time.monotonic())))
        now = time.monotonic()
        el, win, last = now - start, now - last, now
        line = []
        for k in ("checkin", "coverage", "missing", "login"):
            lat, n, err = streams[k].take()
            line.append((n, pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan"), err))
        wal = os.path.getsize(a.db + "-wal") / 1e6 if lite and os.path.exists(a.db + "-wal") else 0
        size = os.path.getsize(a.db) / 1e6 if lite else 0
        ck, cv, ms, lg = line
        wnow = writer_counts()
        rd = disk_read()
        drd = (rd - rdprev[0]) / 1e6
        rdprev[0] = rd
        dj, dr, do, dm, df, dt = (wnow[i] - wprev[i] for i in range(6))
        wprev = wnow
        print("%6.0f %7.0f %5d %4d %7.0f %7.0f | %6.0f %6.1f %6.1f %4d | %6.0f %6.1f %6.1f | %6.1f %6.1f %4d | %6.0f %6.0f %3d | %7d %4d %3d | %5d %5d %6.2f %7.0f %4d %5.1f" % (
            el, proc("RssAnon") / 1024, len(os.listdir("/proc/%d/fd" % pid)), proc("Threads"), wal, size,
            ck[0] / win, ck[1], ck[2], ck[4], cv[0] / win, cv[1], cv[2], ms[1], ms[2], ms[4], lg[1], lg[3], lg[4],
            sse[0], sse[1], sse[2], dr, do, dm / dj if dj else 0, df / win, dt, drd), flush=True)
    stop.set()
    sse_stop.set()
    wl = writer_counts()
    dj, dr, do, dm, df, dt = (wl[i] - wfirst[i] for i in range(6))
    print("writer over the run: %d jobs, %d cache resets (another's commit seen), %d commits by other connections,"
          " %.3f page-cache misses per job, %d page faults of its thread" % (dj, dr, do, dm / dj if dj else 0, df))
    print("ticker's tasks since the server started (commits on its connection / jobs to the writer): " +
          ", ".join("%s %d/%d" % (k, v.get("commits", 0), v.get("writer_jobs", 0)) for k, v in ticker[0].items()))
    time.sleep(2)
    bthread.join(600)
    # ---- the end checks ----
    ok = True
    # the city's recount reads every resident: minutes on a busy machine, not 30 s
    st, cov = c.call("GET", "/coverage?unit=4201", token=token, timeout=600)
    st2, rec = c.call("GET", "/coverage/recount?unit=4201", token=token, timeout=600)
    keys = ["households_total", "households_reached", "residents_total", "residents_accounted", "residents_reported", "fevers"]
    if not isinstance(cov, dict) or not isinstance(rec, dict):
        diff = {"coverage or recount not answered": (st, st2)}
    else:
        diff = {k: (cov[k], rec[k]) for k in keys if cov[k] != rec[k]}
    print("counters vs recount (city): %s" % (diff or "equal"))
    print("check-in errors by status: %s" % (bad_status or "none"))
    lat, n, err = streams["import"].take()
    print("imports of 500 rows: %d, %d failed, longest %.0f ms" % (n, err, max(lat) if lat else 0))
    ok &= err == 0
    ok &= not diff
    ids = [cid for _, cid in acked]
    if lite:
        db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True, timeout=60)
        have = 0
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            have += db.execute("select count(*) from checkins where client_id in (%s)" % ",".join("?" * len(part)), part).fetchone()[0]
        integ = db.execute("pragma quick_check").fetchone()[0]
        db.close()
    else:
        have = int(q("select count(*) from checkins where client_id like 'soak-%'")[0])
        integ = "n/a (PostgreSQL)"
    print("acknowledged check-ins: %d, present: %d; store check: %s" % (len(ids), have, integ))
    ok &= have >= len(ids) and integ in ("ok", "n/a (PostgreSQL)")
    print("SSE: %d events read by 20 clients, %d missed without a reset, %d resets" % (sse[0], sse[1], sse[2]))
    ok &= sse[1] == 0
    if "rc" not in backup:
        print("backup: did not finish")
        ok = False
    elif backup["rc"] != 0:
        print("backup: failed in %.1f s: %s" % (backup["secs"], backup["err"]))
        ok = False
    elif lite:
        b = sqlite3.connect("file:%s?mode=ro" % backup["path"], uri=True)
        bi = b.execute("pragma integrity_check").fetchone()[0]
        # its counters against its own rows, for today's residents living there
        r1 = b.execute("select s.residents from unit_stats s join units u on u.id = s.unit_id where u.parent_id is null").fetchone()
        r2 = b.execute("select count(*) from residents r join households h on h.id = r.household_id where h.retired_at is null"
                       " and r.moved_out_at is null and r.residence in ('living','temporary')").fetchone()
        b.close()
        print("backup mid-soak: %.1f s, integrity %s, residents counted %s vs rows %s" % (backup["secs"], bi, r1 and r1[0], r2[0]))
        ok &= bi == "ok" and r1 is not None and r1[0] == r2[0]
        os.unlink(backup["path"])
    else:
        print("backup mid-soak: %.1f s (pg_dump archive, checked by wangge backup)" % backup["secs"])
        os.unlink(backup["path"])
    print("soak: %s" % ("ok" if ok else "FAILED"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
